// Problems the compiler finds, returned as data so the editor can mark the node, port or param.

/** What kind of problem a compile issue is. */
export type CompileIssueKind =
  | 'unknown-type'
  | 'bad-param'
  | 'port-type-mismatch'
  | 'unknown-port'
  | 'missing-input'
  | 'too-many-inputs'
  | 'cycle'
  | 'duplicate-id'
  | 'dangling-edge'
  /** Two edges joining the same output to the same input. */
  | 'duplicate-edge'
  | 'bad-document'
  /** A graph with no nodes: nothing to run. */
  | 'empty-graph'
  /** Data that will not be there at run time: a split that does not exist, labels a head cannot get, a task that does not match. */
  | 'data-mismatch'
  /** An uploaded file that does not fit its node: wrong kind, missing columns, unreadable. */
  | 'bad-upload';

/** One problem, pinned to the node (and port or param) that the editor should mark. */
export interface CompileIssue {
  kind: CompileIssueKind;
  /** The node to mark; absent only for document-level problems. */
  nodeId?: string;
  /** The edge involved, when there is one. */
  edgeId?: string;
  port?: string;
  /** Dotted zod path inside params, e.g. `targetModules.0`. */
  param?: string;
  message: string;
}
