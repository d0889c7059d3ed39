package lambdahandler

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
)

// handleSNS sends each notification's Message. A failure returns a function
// error: SNS invokes asynchronously, so Lambda retries and then hands the
// event to the failure destination (the dead-letter queue). SNS delivers
// one record per invocation, so a retry never repeats an earlier record.
func (h *Handler) handleSNS(ctx context.Context, payload []byte) (any, error) {
	var ev events.SNSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(gmailsend.Invalid("", "malformed SNS event"))
	}
	sent := 0
	for _, r := range ev.Records {
		if _, err := h.sendOne(ctx, sourceSNS, r.SNS.MessageID, []byte(r.SNS.Message)); err != nil {
			// An inline secret is parked without it instead (park.go).
			if len(ev.Records) == 1 && h.parkEvent(ctx, sourceSNS, r.SNS.MessageID, payload, err) {
				return map[string]int{"sent": sent, "parked": 1}, nil
			}
			return nil, functionError(err)
		}
		sent++
	}
	return map[string]int{"sent": sent}, nil
}
