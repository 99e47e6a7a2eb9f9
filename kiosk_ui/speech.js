// Spoken guidance: the kiosk asks the server for phrases (POST …/speech, worded and synthesised
// there, offline, in the kiosk's language) and plays the clips it answers, one after another.
//
//   const speech = createSpeech({ api, branch: () => code, onChange })
//   speech.on / speech.private / speech.volume (1–10)
//   speech.start({ private })   speech on (a key, the help key, headphones plugged in)
//   speech.stop()               off, silent at once (the next customer starts without it)
//   speech.say(lang, phrases, { interrupt = true })   phrases as POST …/speech takes them; a
//                               new focus interrupts what is being said, a screen's intro does not
//                               wait for the previous one either
//   speech.louder() / quieter() the volume by one step, said at the new level
//   speech.played               the clips played so far, newest last ({url, text}): support, tests
//
// Private mode: speech is meant for headphones only. The kiosk enters it when an audio output
// appears while it runs (a headphone socket that the hardware reports as a device) and routes
// the audio there (setSinkId); with "#audio=private" every word goes to the one output the
// kiosk has, a headset socket. Only in private mode is a ticket's number spoken unasked.
//
// Languages without a voice on the server are spoken in English, the common fallback.

const VOICED = new Set(["en", "tr", "el", "pl"]);
const DEFAULT_VOLUME = 7;
// Clips kept as blobs in memory: moving back and forth over services is instant.
const KEEP_CLIPS = 80;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSpeech({ api, branch, onChange = () => {} }) {
  const audio = new Audio();
  audio.preload = "auto";
  const blobs = new Map(); // clip url -> object URL
  let generation = 0;
  let chain = Promise.resolve(); // answers are queued in the order they were asked for
  let queue = [];
  let playing = false;
  let sinkId = "";
  let knownOutputs = null;

  const speech = {
    on: false,
    private: false,
    volume: DEFAULT_VOLUME,
    played: [],
    failed: 0,
    start({ private: priv = speech.private } = {}) {
      const changed = !speech.on || priv !== speech.private;
      speech.on = true;
      speech.private = priv;
      if (changed) onChange(speech);
    },
    stop() {
      generation += 1;
      queue = [];
      audio.pause();
      const changed = speech.on;
      speech.on = false;
      speech.volume = DEFAULT_VOLUME;
      if (changed) onChange(speech);
    },
    /** Say `phrases` in `lang` (POST …/speech); resolves when they were queued. Phrases are
     * played in the order asked for, however their answers arrive. */
    async say(lang, phrases, { interrupt = true } = {}) {
      if (!speech.on || !phrases.length) return;
      // A loop already playing picks up what comes next (only one loop ever plays).
      if (interrupt) {
        generation += 1;
        queue = [];
        audio.pause();
        chain = Promise.resolve();
      }
      const mine = generation;
      const ask = () =>
        api.post(`/api/v1/branches/${encodeURIComponent(branch())}/speech`, {
          lang: VOICED.has(lang) ? lang : "en",
          phrases,
        });
      const asked = ask()
        .catch(async (err) => {
          // The server busy making other kiosks' phrases: ask once more when it says, unless
          // the customer has moved on meanwhile (then the newer phrases are what they want).
          if (err?.status !== 503) throw err;
          await sleep(Math.min(10, err.retryAfterS ?? 2) * 1000);
          if (mine !== generation || !speech.on) return null;
          return ask();
        })
        .catch((err) => {
          speech.failed += 1;
          console.warn("speech", err);
          return null;
        });
      const turn = chain.then(async () => {
        const answer = await asked;
        if (!answer || mine !== generation || !speech.on) return;
        queue.push(...answer.clips.map((c) => ({ ...c, generation: mine })));
        if (!playing) pump();
      });
      chain = turn;
      return turn;
    },
    louder() {
      return setVolume(speech.volume + 1);
    },
    quieter() {
      return setVolume(speech.volume - 1);
    },
    /** Where the headphones are, if the hardware said (for support and the tests). */
    get sink() {
      return sinkId;
    },
  };

  function setVolume(level) {
    speech.volume = Math.min(10, Math.max(1, level));
    audio.volume = speech.volume / 10;
    onChange(speech);
    return speech.volume;
  }

  async function clipUrl(url) {
    if (blobs.has(url)) return blobs.get(url);
    const headers = api.token ? { Authorization: `Bearer ${api.token}` } : {};
    const res = await fetch(url, { headers, cache: "no-store" });
    if (!res.ok) throw new Error(`clip ${res.status}`);
    const objectUrl = URL.createObjectURL(await res.blob());
    blobs.set(url, objectUrl);
    if (blobs.size > KEEP_CLIPS) {
      const [oldest, old] = blobs.entries().next().value;
      URL.revokeObjectURL(old);
      blobs.delete(oldest);
    }
    return objectUrl;
  }

  async function pump() {
    playing = true;
    while (queue.length && speech.on) {
      const clip = queue.shift();
      if (clip.generation !== generation) continue;
      try {
        audio.src = await clipUrl(clip.url);
        if (clip.generation !== generation || !speech.on) continue;
        audio.volume = speech.volume / 10;
        await audio.play();
        speech.played.push({ url: clip.url, text: clip.text, say: clip.say });
        if (speech.played.length > 200) speech.played.shift();
        await new Promise((resolve) => {
          const done = () => {
            audio.removeEventListener("ended", done);
            audio.removeEventListener("pause", done);
            audio.removeEventListener("error", done);
            resolve();
          };
          audio.addEventListener("ended", done);
          audio.addEventListener("pause", done);
          audio.addEventListener("error", done);
        });
      } catch (err) {
        // Interrupted by the next focus (AbortError) is not a failure.
        if (err?.name !== "AbortError") {
          speech.failed += 1;
          console.warn("speech clip", err);
        }
      }
    }
    playing = false;
  }

  /** Headphones plugged in: a new audio output while the kiosk runs. */
  async function outputs() {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      return devices.filter((d) => d.kind === "audiooutput" && d.deviceId).map((d) => d.deviceId);
    } catch {
      return [];
    }
  }

  async function watchOutputs(onPlugged) {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    knownOutputs = new Set(await outputs());
    navigator.mediaDevices.addEventListener("devicechange", async () => {
      const now = await outputs();
      const added = now.find((id) => !knownOutputs.has(id) && id !== "default" && id !== "communications");
      const gone = sinkId && !now.includes(sinkId);
      knownOutputs = new Set(now);
      if (added && audio.setSinkId) {
        try {
          await audio.setSinkId(added);
          sinkId = added;
        } catch (err) {
          console.warn("headphones", err);
          return;
        }
        onPlugged(true);
      } else if (gone) {
        sinkId = "";
        if (audio.setSinkId) audio.setSinkId("").catch(() => {});
        onPlugged(false);
      }
    });
  }

  speech.watchOutputs = watchOutputs;
  audio.volume = speech.volume / 10;
  return speech;
}
