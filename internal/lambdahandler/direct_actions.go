package lambdahandler

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/gmailsend/gmailsend"
)

// directAction is a direct invocation that is not a send request:
// {"action": "getMessage", "id": "…"}. A send request has no "action"
// field (its strict decoder would refuse one), so the two cannot be
// confused.
type directAction struct {
	Action string `json:"action"`
	ID     string `json:"id"`
}

// directActions are the actions a direct invocation may name; each
// answers for the IAM-authorised caller, whose records are those created
// without an API key.
var directActions = map[string]func(h *Handler, ctx context.Context, a directAction) (any, error){
	"getMessage": (*Handler).directGetMessage,
}

// asDirectAction reports whether payload is an action object.
func asDirectAction(payload []byte) (directAction, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil {
		return directAction{}, false
	}
	if _, ok := top["action"]; !ok {
		return directAction{}, false
	}
	var a directAction
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return directAction{Action: "\x00invalid"}, true
	}
	return a, true
}

// handleDirectAction runs an action; a failure is a function error typed
// by its code, as for a direct send.
func (h *Handler) handleDirectAction(ctx context.Context, a directAction) (any, error) {
	run, ok := directActions[a.Action]
	if !ok {
		return nil, functionError(gmailsend.Invalid("action", `unknown action or malformed action object; use {"action": "getMessage", "id": "…"}`))
	}
	res, err := run(h, ctx, a)
	if err != nil {
		return nil, functionError(err)
	}
	return res, nil
}

func (h *Handler) directGetMessage(ctx context.Context, a directAction) (any, error) {
	return h.messages.Lookup(ctx, a.ID, "")
}
