import { mount } from "svelte";
import App from "./App.svelte";
import { logFailure } from "./lib/api";
import { quitOnKey } from "./lib/quit";
import "./app.css";

// A script error or a failed promise nobody caught goes to the app's log too.
window.addEventListener("error", (e) => logFailure("window", e.error ?? e.message));
window.addEventListener("unhandledrejection", (e) => logFailure("window", e.reason));

quitOnKey();

const target = document.getElementById("app");
if (!target) throw new Error("no #app element");

const app = mount(App, { target });

// When the first frame with the app in it is drawn: the app benchmark reads this to time
// cold start to first paint (from the process's start time).
requestAnimationFrame(() => {
  (window as Window & { __codemyspecPainted?: number }).__codemyspecPainted = performance.timeOrigin + performance.now();
});

export default app;
