import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("no #app element");

const app = mount(App, { target });

// When the first frame with the app in it is drawn: the app benchmark reads this to time
// cold start to first paint (from the process's start time).
requestAnimationFrame(() => {
  (window as Window & { __codemyspecPainted?: number }).__codemyspecPainted = performance.timeOrigin + performance.now();
});

export default app;
