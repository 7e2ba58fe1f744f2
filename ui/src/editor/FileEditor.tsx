import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, indentUnit } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { editorTheme } from './theme';

/** Syntax colours by extension, from the languages the app already ships: YAML, and JSON as YAML
 * reads it; any other file is plain text. */
function languageOf(path: string): Extension[] {
  return /\.(ya?ml|json)$/i.test(path) ? [yaml()] : [];
}

/** A namespace file in the flow editor's CodeMirror, with its look. */
export default function FileEditor({
  path,
  value,
  onChange,
  onSave,
}: {
  path: string;
  value: string;
  onChange: (value: string) => void;
  onSave: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };

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
          indentUnit.of('  '),
          bracketMatching(),
          highlightSelectionMatches(),
          ...languageOf(path),
          editorTheme,
          EditorView.contentAttributes.of({ 'aria-label': `Content of ${path}` }),
          keymap.of([
            { key: 'Mod-s', preventDefault: true, run: () => (callbacks.current.onSave(), true) },
            indentWithTab,
            ...defaultKeymap,
            ...searchKeymap,
            ...historyKeymap,
          ]),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    return () => editor.destroy();
    // one editor per file: the page keys it by path
  }, []);

  return (
    <div className="editor">
      <div className="editor-host" ref={host} data-testid="file-editor" />
    </div>
  );
}
