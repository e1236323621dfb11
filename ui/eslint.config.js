import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";
import svelteConfig from "./svelte.config.js";

export default defineConfig(
  // src/bindings.ts is generated (tauri-specta): not ours to lint.
  globalIgnores(["dist/", "node_modules/", "src/bindings.ts"]),
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: { globals: globals.browser },
    // A disable comment that no longer suppresses anything fails the check, so none outlives its reason.
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    // The build and tool configs run in node.
    files: ["*.config.js", "*.config.ts"],
    languageOptions: { globals: globals.node },
  },
  {
    // Components and rune modules: svelte-eslint-parser, with the TypeScript parser for their scripts.
    files: ["**/*.svelte", "**/*.svelte.ts", "**/*.svelte.js"],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: [".svelte"],
        parser: ts.parser,
        svelteConfig,
      },
    },
    rules: {
      // The same for the disable comments in markup (<!-- eslint-disable-next-line ... -->).
      "svelte/comment-directive": ["error", { reportUnusedDisableDirectives: true }],
      // It flags `{" "}`, the way to keep a space at the edge of a block, which Svelte 5 otherwise trims.
      "svelte/no-useless-mustaches": "off",
    },
  },
);
