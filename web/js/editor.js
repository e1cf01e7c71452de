// The playground's editor: CodeMirror 6 behind the few calls the Yew app makes (see
// web/src/editor_js.rs). `npm run build` bundles this file and CodeMirror into dist/editor.js,
// which wasm-bindgen copies next to the app; nothing is fetched at run time.
//
// Positions are UTF-16 code units (what CodeMirror counts); the Rust side converts the core's
// byte spans before calling in.

import { ChangeSet, Compartment, EditorState } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { StreamLanguage, bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { lintGutter, lintKeymap, setDiagnostics as lintDiagnostics } from '@codemirror/lint';
import { dockerFile } from '@codemirror/legacy-modes/mode/dockerfile';
import { classHighlighter } from '@lezer/highlight';

// Colours are CSS variables (static/style.css), so the light and dark themes are the page's.
const theme = EditorView.theme({
  '&': {
    height: '100%',
    color: 'var(--text)',
    backgroundColor: 'var(--code-bg)',
    border: '1px solid var(--border)',
    borderRadius: '6px',
    fontSize: '14px',
  },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--selection)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel)',
    color: 'var(--text)',
    border: '1px solid var(--border)',
    borderRadius: '6px',
  },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--text)' },
  '.cm-diagnostic': { fontFamily: 'var(--sans)', maxWidth: '36rem' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--error)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warning)' },
  '.cm-diagnostic-info, .cm-diagnostic-hint': { borderLeftColor: 'var(--info)' },
  '.cm-diagnosticAction': {
    backgroundColor: 'var(--accent)',
    color: 'var(--accent-text)',
    border: 'none',
    borderRadius: '4px',
    font: 'inherit',
    fontSize: '0.85rem',
  },
  '.cm-diagnosticAction.unsafe': { backgroundColor: 'var(--warning)' },
});

// The message, the help line, notes, and (for lint rules) a button that opens the rule's page.
function renderMessage(problem, onRule) {
  const root = document.createElement('div');
  root.className = 'stowage-problem';
  const message = document.createElement('span');
  message.textContent = problem.message;
  root.append(message);
  for (const text of [problem.help, ...problem.notes]) {
    if (!text) continue;
    const line = document.createElement('div');
    line.className = 'stowage-problem-note';
    line.textContent = text;
    root.append(line);
  }
  if (problem.rule) {
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'stowage-rule-link';
    link.dataset.testid = 'rule-link';
    link.dataset.code = problem.code;
    link.textContent = `${problem.code} ${problem.rule}: rule documentation`;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      onRule(problem.code);
    });
    root.append(link);
  } else {
    const code = document.createElement('code');
    code.textContent = problem.code;
    root.append(' ', code);
  }
  return root;
}

// CodeMirror's own base styles (search panel, lint gutter) follow the page's colour scheme: the
// theme toggle's `data-theme` on <html> when set, the system's preference otherwise.
const darkQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
const isDark = () => {
  const chosen = typeof document === 'undefined' ? undefined : document.documentElement.dataset.theme;
  return chosen ? chosen === 'dark' : Boolean(darkQuery?.matches);
};
const darkTheme = () => EditorView.darkTheme.of(isDark());

const severities = { error: 'error', warning: 'warning', info: 'info', style: 'hint' };

class StowageEditor {
  constructor(parent, text, labelledBy, onChange, onRule) {
    this.onRule = onRule;
    this.scheme = new Compartment();
    // Edits since the diagnostics were set: quick fixes map their positions through them.
    this.since = ChangeSet.empty(text.length).desc;
    const listener = EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      this.since = this.since.composeDesc(update.changes.desc);
      const value = update.state.doc.toString();
      // Outside CodeMirror's update cycle: the app may call back in (setText, setDiagnostics).
      queueMicrotask(() => onChange(value));
    });
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          dropCursor(),
          EditorState.allowMultipleSelections.of(true),
          indentOnInput(),
          StreamLanguage.define(dockerFile),
          syntaxHighlighting(classHighlighter),
          bracketMatching(),
          rectangularSelection(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          lintGutter(),
          keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, ...lintKeymap]),
          theme,
          this.scheme.of(darkTheme()),
          EditorView.contentAttributes.of({
            'aria-labelledby': labelledBy,
            'aria-describedby': 'editor-hint',
            'data-testid': 'editor',
            spellcheck: 'false',
            autocapitalize: 'off',
            autocorrect: 'off',
          }),
          listener,
        ],
      }),
    });
    // A handle for the browser tests (tests/e2e), which read the text and place the cursor
    // through it: CodeMirror draws only the visible lines, so the DOM cannot tell them.
    this.view.dom.stowageEditor = this;
    this.onScheme = () => this.view.dispatch({ effects: this.scheme.reconfigure(darkTheme()) });
    darkQuery?.addEventListener('change', this.onScheme);
    this.themeObserver = typeof MutationObserver === 'function' ? new MutationObserver(this.onScheme) : null;
    this.themeObserver?.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  getText() {
    return this.view.state.doc.toString();
  }

  // Replaces the whole text (Reset, examples); a no-op when it is already the text.
  setText(text) {
    if (this.getText() === text) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  // Shows `problems` (see `EditorProblem` in web/src/components/editor.rs), computed for
  // `text`. Stale results (the text moved on since) are dropped: fresh ones are on their way.
  setDiagnostics(text, problems) {
    if (this.getText() !== text) return false;
    this.since = ChangeSet.empty(text.length).desc;
    const diagnostics = problems.map((problem) => ({
      from: problem.from,
      to: problem.to,
      severity: severities[problem.severity] ?? 'info',
      source: problem.rule ? 'stowage-lint' : 'stowage-syntax',
      // Lets tests (and CSS) find the underline of one code.
      markClass: `code-${problem.code}`,
      message: `${problem.code}: ${problem.message}`,
      renderMessage: () => renderMessage(problem, this.onRule),
      actions: problem.fixes.map((fix) => ({
        name: fix.safe ? `Fix: ${fix.title}` : `Unsafe fix: ${fix.title}`,
        markClass: fix.safe ? 'safe' : 'unsafe',
        apply: (view) => this.applyFix(view, fix),
      })),
    }));
    this.view.dispatch(lintDiagnostics(this.view.state, diagnostics));
    return true;
  }

  applyFix(view, fix) {
    const length = view.state.doc.length;
    const clamp = (pos) => Math.max(0, Math.min(length, pos));
    const changes = fix.edits.map((edit) => {
      const from = clamp(this.since.mapPos(edit.from, 1));
      const to = Math.max(from, clamp(this.since.mapPos(edit.to, -1)));
      return { from, to, insert: edit.insert };
    });
    view.dispatch({ changes, userEvent: 'input.fix', scrollIntoView: true });
    view.focus();
  }

  // Selects lines `from`..=`to` (1-based) and scrolls them into view.
  selectLines(from, to) {
    const doc = this.view.state.doc;
    const first = doc.line(Math.max(1, Math.min(doc.lines, from)));
    const last = doc.line(Math.max(1, Math.min(doc.lines, to)));
    this.view.dispatch({ selection: { anchor: first.from, head: last.to }, scrollIntoView: true });
    this.view.focus();
  }

  focus() {
    this.view.focus();
  }

  destroy() {
    darkQuery?.removeEventListener('change', this.onScheme);
    this.themeObserver?.disconnect();
    this.view.destroy();
  }
}

// `labelledBy` is the id of the element naming the editor; `onChange(text)` is called after
// every edit; `onRule(code)` when the user asks for a rule's documentation.
export function create(parent, text, labelledBy, onChange, onRule) {
  return new StowageEditor(parent, text, labelledBy, onChange, onRule);
}
