/**
 * When a windowed aggregation emits: on every update (default; a record cache compacts updates
 * per window until commit), or once per window when it closes (`windowEnd + grace <= streamTime`),
 * the same as `suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))`.
 */
export class EmitStrategy {
  private constructor(readonly type: 'on-window-update' | 'on-window-close') {}

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('on-window-update');
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('on-window-close');
  }
}
