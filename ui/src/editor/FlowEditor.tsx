import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import { lintGutter, linter } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorSelection, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { useEffect, useRef, useState } from 'react';
import { completeFlow } from './completion';
import { editorTheme } from './theme';
import { validationSource, type FlowProblem } from './validation';

interface Props {
  value: string;
  onChange: (value: string) => void;
  onSave: () => void;
  /** the validation's problems, each time they change */
  onProblems?: (problems: FlowProblem[]) => void;
}

/** Enter keeps the line's indentation, one level deeper after `key:` and under a list item's first
 * key after `- `: YAML's structure is its indentation, and the language's own rule dropped to column 0. */
function newlineKeepingIndent(view: EditorView): boolean {
  const { state } = view;
  view.dispatch(
    state.update(
      state.changeByRange((range) => {
        const line = state.doc.lineAt(range.head);
        const before = line.text.slice(0, range.head - line.from);
        let indent = (/^\s*(- )?/.exec(before)?.[0] ?? '').length;
        if (/:\s*$/.test(before))
          indent = (/^\s*/.exec(before)?.[0].length ?? 0) + 2 + (before.trimStart().startsWith('- ') ? 2 : 0);
        const insert = `\n${' '.repeat(indent)}`;
        return {
          changes: { from: range.from, to: range.to, insert },
          range: EditorSelection.cursor(range.from + insert.length),
        };
      }),
      { scrollIntoView: true, userEvent: 'input' },
    ),
  );
  return true;
}

/** The flow's YAML in CodeMirror: highlighting, completion from the flow schema, and the server's
 * validation errors on their lines as you type. */
export default function FlowEditor({ value, onChange, onSave, onProblems }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const [problems, setProblems] = useState<FlowProblem[]>([]);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };
  const problemsRef = useRef(onProblems);
  problemsRef.current = onProblems;
  useEffect(() => problemsRef.current?.(problems), [problems]);

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),
          drawSelection(),
          indentOnInput(),
          indentUnit.of('  '),
          bracketMatching(),
          closeBrackets(),
          highlightSelectionMatches(),
          yaml(),
          autocompletion({ override: [completeFlow], activateOnTypingDelay: 50 }),
          linter(validationSource(setProblems), { delay: 400 }),
          lintGutter(),
          editorTheme,
          EditorView.contentAttributes.of({ 'aria-label': 'Flow YAML' }),
          keymap.of([
            { key: 'Mod-s', preventDefault: true, run: () => (callbacks.current.onSave(), true) },
            { key: 'Enter', run: newlineKeepingIndent },
            indentWithTab,
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...searchKeymap,
            ...historyKeymap,
            ...completionKeymap,
          ]),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // the editor is made once; later values come in through the effect below
  }, []);

  // a value from outside (the saved flow arriving, a reload) replaces the text; our own edits do not
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  const jump = (problem: FlowProblem) => {
    const editor = view.current;
    if (!editor) return;
    const line = editor.state.doc.line(Math.min(Math.max(problem.line, 1), editor.state.doc.lines));
    editor.dispatch({
      selection: { anchor: line.from + Math.max(problem.column - 1, 0) },
      scrollIntoView: true,
    });
    editor.focus();
  };

  return (
    <div className="editor">
      <div className="editor-host" ref={host} data-testid="flow-editor" />
      <div className={problems.length > 0 ? 'problems has-problems' : 'problems'} aria-live="polite">
        {problems.length === 0 ? (
          <span className="ok">✓ Valid</span>
        ) : (
          problems.map((p, i) => (
            <button key={i} className="problem" onClick={() => jump(p)} data-line={p.line}>
              <span className="mono">
                {p.line}:{p.column}
              </span>{' '}
              {p.message}
            </button>
          ))
        )}
      </div>
    </div>
  );
}
