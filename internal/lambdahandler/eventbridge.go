package lambdahandler

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/email"
)

// handleEventBridge sends the event's detail, which is the send request.
func (h *Handler) handleEventBridge(ctx context.Context, payload []byte) (any, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(email.Invalid("", "malformed EventBridge event"))
	}
	res, err := h.sendOne(ctx, sourceEventBridge, ev.ID, ev.Detail)
	if err != nil {
		return nil, functionError(err)
	}
	return res, nil
}
