package lambdahandler

import "context"

// handleDirect sends a payload that is the send request itself (the Lambda
// Invoke API, `sam local invoke`, a Step Functions task). A failure is a
// function error whose errorType is the stable code.
func (h *Handler) handleDirect(ctx context.Context, payload []byte) (any, error) {
	if a, ok := asDirectAction(payload); ok { // direct_actions.go
		return h.handleDirectAction(ctx, a)
	}
	res, err := h.sendOne(ctx, sourceDirect, "", payload)
	if err != nil {
		return nil, functionError(err)
	}
	return res, nil
}
