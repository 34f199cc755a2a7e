/** A tool call the client got wrong (bad arguments, limits): the message goes to the client as it is. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}
