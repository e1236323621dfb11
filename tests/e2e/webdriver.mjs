// A small W3C WebDriver client (node >= 18, no dependencies) for tauri-driver.
import { writeFileSync } from "node:fs";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Session {
  constructor(url, id) {
    this.url = url;
    this.id = id;
  }

  static async start(url, application, args = []) {
    const value = await call(url, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application, args } } },
    });
    return new Session(url, value.sessionId);
  }

  cmd(method, path, body) {
    return call(this.url, method, `/session/${this.id}${path}`, body);
  }

  async end() {
    await this.cmd("DELETE", "").catch(() => {});
  }

  /** The first element matching `css`, waiting up to `timeout` ms for it. */
  async find(css, timeout = 15000) {
    const until = Date.now() + timeout;
    for (;;) {
      try {
        const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
        return new Element(this, v[ELEMENT]);
      } catch (e) {
        if (Date.now() > until) throw new Error(`no element ${css}: ${e.message}`);
        await sleep(100);
      }
    }
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => new Element(this, e[ELEMENT]));
  }

  async exists(css) {
    return (await this.findAll(css)).length > 0;
  }

  script(source, args = []) {
    return this.cmd("POST", "/execute/sync", { script: source, args });
  }

  asyncScript(source, args = []) {
    return this.cmd("POST", "/execute/async", { script: source, args });
  }

  async screenshot(path) {
    // WebKitGTK without compositing (how the app draws on a machine with no GPU) answers a
    // screenshot at its next paint, and an idle page never paints: so for a few seconds a
    // 1-pixel, all but invisible mark flickers in a corner, and the first paint after the
    // request arrives answers it.
    await this.script(`
      const mark = document.createElement("div");
      mark.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;opacity:0";
      document.body.append(mark);
      let n = 0;
      const tick = setInterval(() => {
        mark.style.opacity = n++ % 2 ? "0" : "0.01";
        if (n > 30) { clearInterval(tick); mark.remove(); }
      }, 100);`);
    const png = await this.cmd("GET", "/screenshot");
    writeFileSync(path, Buffer.from(png, "base64"));
  }

  /** Waits until `check()` returns a truthy value, and returns it. */
  async until(what, check, timeout = 30000, every = 100) {
    const until = Date.now() + timeout;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(every);
    }
  }
}

export class Element {
  constructor(session, id) {
    this.s = session;
    this.id = id;
  }
  click() {
    return this.s.cmd("POST", `/element/${this.id}/click`, {});
  }
  async type(text) {
    await this.s.cmd("POST", `/element/${this.id}/clear`, {});
    return this.s.cmd("POST", `/element/${this.id}/value`, { text });
  }
  text() {
    return this.s.cmd("GET", `/element/${this.id}/text`);
  }
  value() {
    return this.s.cmd("GET", `/element/${this.id}/property/value`);
  }
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(180000),
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(j.value ?? j)}`);
  return j.value;
}
