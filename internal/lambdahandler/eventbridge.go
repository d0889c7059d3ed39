package lambdahandler

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
)

// handleEventBridge sends the event's detail, which is the send request. A
// failure is a function error (Lambda retries, then writes the event to the
// failure destination), unless the event holds an inline secret: then it
// is parked without it (park.go) and the invocation succeeds.
func (h *Handler) handleEventBridge(ctx context.Context, payload []byte) (any, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(gmailsend.Invalid("", "malformed EventBridge event"))
	}
	res, err := h.sendOne(ctx, sourceEventBridge, ev.ID, ev.Detail)
	if err != nil {
		if h.parkEvent(ctx, sourceEventBridge, ev.ID, payload, err) {
			return map[string]int{"parked": 1}, nil
		}
		return nil, functionError(err)
	}
	return res, nil
}
