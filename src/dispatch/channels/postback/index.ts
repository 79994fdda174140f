// Affiliate postbacks: templated GET/POST requests to a partner's tracking endpoint.
export { DEFAULT_CLICK_ID_KEYS, resolveClickId } from "./clickId.js"
export { egressProblems, validatePostbackEgress } from "./egressCheck.js"
export { PostbackChannel } from "./PostbackChannel.js"
export { type PostbackPlan, type PostbackRequest, renderPostback } from "./render.js"
export { validatePostbackTarget } from "./validate.js"
export { VARIABLE_NAMES, VARIABLES } from "./variables.js"
