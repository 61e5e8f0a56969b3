/** Every way bringing the local infra up or down can fail, as a closed set of codes. */
export type InfraErrorCode =
  | 'missing_tools'
  | 'bad_setting'
  | 'port_taken'
  | 'kafka_failed'
  | 'postgres_failed'
  | 'lock_timeout';

/** A failure with a message meant for a person: the CLI prints it without a stack trace. */
export class InfraError extends Error {
  readonly code: InfraErrorCode;

  constructor(code: InfraErrorCode, message: string) {
    super(message);
    this.name = 'InfraError';
    this.code = code;
  }
}
