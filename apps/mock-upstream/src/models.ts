/** The models the list endpoints advertise. Requests may name any model; the mock answers them all alike. */
export const OPENAI_MODELS: readonly string[] = ['mock-gpt', 'mock-gpt-mini', 'mock-embedding'];
export const ANTHROPIC_MODELS: readonly string[] = ['mock-claude', 'mock-claude-haiku'];
export const GEMINI_MODELS: readonly string[] = ['mock-gemini', 'mock-gemini-flash'];

/** A fixed timestamp for model metadata, so listings are byte-identical across runs. */
export const MODEL_CREATED = 1_735_689_600; // 2025-01-01T00:00:00Z
