import type { Document, Node } from 'yaml';
import type { ErrorList, Position } from './errors.js';
import type { PluginDefaultSource } from './plugin-defaults.js';
import type { SourcePositions } from './positions.js';

/** Ids that must be unique within a flow; every later use of an id is reported where it stands. */
export class UniqueIds {
  private readonly seen = new Map<string, Position>();

  constructor(
    private readonly noun: string,
    private readonly errors: ErrorList,
  ) {}

  claim(id: string, at: Position): void {
    const first = this.seen.get(id);
    if (first) this.errors.add(at, `duplicate ${this.noun} id '${id}' (first defined at line ${first.line})`);
    else this.seen.set(id, at);
  }
}

/** What every part of the loader needs while it checks one flow file. */
export interface LoadContext {
  doc: Document.Parsed;
  positions: SourcePositions;
  errors: ErrorList;
  defaults: PluginDefaultSource[];
  taskIds: UniqueIds;
  triggerIds: UniqueIds;
  /** reports every template with a syntax error inside node */
  checkTemplates(node: Node | null | undefined): void;
}
