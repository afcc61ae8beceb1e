export { startMockUpstream, type MockUpstream, type MockUpstreamOptions, type RecordedRequest } from './mock-upstream.js';
export { CONTROL_HEADERS, MockControlError, parseControlSuffix, splitModel, type MockControls, type MockFailure, type MockSettings } from './controls.js';
export { parseSse, type SseEvent } from './http-io.js';
export { DEFAULT_REPLY_TOKENS, textReply, type ReplyPlan } from './reply.js';
export { countWords } from './words.js';
export { ANTHROPIC_MODELS, GEMINI_MODELS, OPENAI_MODELS } from './models.js';
export { embeddingVector } from './providers/openai.js';
