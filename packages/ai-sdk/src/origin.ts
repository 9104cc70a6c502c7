/** Names the model an error came from, so a supervisor's report says which one failed. */
export interface Origin {
  readonly provider: string;
  readonly model: string;
}
