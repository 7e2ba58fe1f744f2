// Validation as you type: the server's own loader judges the YAML (POST /api/v1/flows/validate), so
// the editor shows exactly the errors a save would refuse, each on its line.
import type { Diagnostic } from '@codemirror/lint';
import type { EditorView } from '@codemirror/view';
import { api } from '../api';

export interface FlowProblem {
  line: number;
  column: number;
  message: string;
}

interface ValidateResponse {
  valid: boolean;
  errors: FlowProblem[];
}

export function validationSource(onProblems: (problems: FlowProblem[]) => void) {
  return async (view: EditorView): Promise<Diagnostic[]> => {
    const doc = view.state.doc;
    const { errors } = await api<ValidateResponse>('/api/v1/flows/validate', { yaml: doc.toString() });
    onProblems(errors);
    return errors.map((e) => {
      const line = doc.line(Math.min(Math.max(e.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(e.column - 1, 0), line.to);
      // from the column the loader named to the end of that line's text
      return { from, to: Math.max(line.to, from), severity: 'error', message: e.message };
    });
  };
}
