package lambdahandler

import (
	"github.com/gmailsend/gmailsend"
)

// payloadLimit is the largest send request a source can deliver, and how
// docs/deploy.md and the error name it.
type payloadLimit struct {
	bytes int
	name  string
}

// sourceLimits are AWS's own limits per source, as of 2026. A request over
// one cannot have been delivered by that source (or would have been refused
// upstream), so one arriving here, e.g. from `make serve` or a test, is
// refused with the limit it will meet in AWS rather than failing there.
//
//   - API Gateway REST accepts 10 MB, but the whole event must fit Lambda's
//     6 MB (6,291,456-byte) synchronous invocation payload.
//   - A direct invocation is synchronous (6 MB); an asynchronous one is
//     held to 1 MB by Lambda itself before the function runs.
//   - SQS messages: 1 MiB (raised from 256 KiB in 2025).
//   - EventBridge PutEvents entries: 1 MB (raised from 256 KB in 2026);
//     Lambda's asynchronous payload limit is 1 MB too.
//   - SNS messages: 256 KiB unless the topic's MaximumMessageSize is raised.
var sourceLimits = map[source]payloadLimit{
	sourceAPIGatewayV1: {6_291_456, "Lambda's 6 MB synchronous invocation payload (API Gateway)"},
	sourceAPIGatewayV2: {6_291_456, "Lambda's 6 MB synchronous invocation payload (API Gateway)"},
	sourceDirect:       {6_291_456, "Lambda's 6 MB synchronous invocation payload"},
	sourceSQS:          {1_048_576, "SQS's 1 MiB message size"},
	sourceEventBridge:  {1_048_576, "EventBridge's 1 MB event entry size"},
	sourceSNS:          {262_144, "SNS's 256 KiB message size"},
}

// checkSize refuses a request over its source's limit or the configured
// bound (Options.MaxRequestBytes), whichever is lower, before it is parsed.
func (h *Handler) checkSize(src source, body []byte) error {
	limit, ok := sourceLimits[src]
	if !ok || (h.opts.MaxRequestBytes > 0 && h.opts.MaxRequestBytes < limit.bytes) {
		limit = payloadLimit{h.opts.MaxRequestBytes, "the configured request limit"}
	}
	if limit.bytes > 0 && len(body) > limit.bytes {
		return gmailsend.Errorf(gmailsend.CodePayloadTooLarge, "", "the request is %d bytes; %s allows at most %d bytes", len(body), limit.name, limit.bytes)
	}
	return nil
}
