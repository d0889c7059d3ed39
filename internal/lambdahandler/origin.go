package lambdahandler

import (
	"context"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend/internal/sender"
)

// originOf is what the sender records about a send from src: its source,
// the API caller and Idempotency-Key header when an API route set them,
// and for the queue and event sources their own delivery id as the
// default idempotency key, so a redelivered record or event replays
// instead of sending again.
func originOf(ctx context.Context, src source, itemID string) sender.Origin {
	o := sender.Origin{Source: string(src)}
	switch src {
	case sourceSQS, sourceSNS, sourceEventBridge:
		o.DefaultKey = itemID
	case sourceDirect:
		// An asynchronous (Event) invoke that fails is retried by Lambda
		// with the same request id, so that id keys it: a retry after
		// delivery_unknown replays instead of sending again. A synchronous
		// invoke's id is new every time, so nothing else is affected.
		if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
			o.DefaultKey = lc.AwsRequestID
		}
	}
	if a, ok := ctx.Value(apiOriginKey{}).(apiOrigin); ok {
		o.Caller, o.API = a.caller, true
		if a.keySent {
			o.Key, o.KeyField = a.key, "Idempotency-Key"
		}
	}
	return o
}
