package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// signingSecret is one secret of an endpoint. The current one has no
// expiry; one rotated out signs until Expires.
type signingSecret struct {
	Value   string    `json:"s"`
	Expires time.Time `json:"e,omitzero"`
}

// sealContext is the additional data a secrets ciphertext is bound to:
// the item's pk and sk (dynamostore keys endpoints "hook#<caller>",
// "<id>"), NUL between them so no two pairs run together alike.
func sealContext(caller, id string) []byte {
	return []byte("hook#" + caller + "\x00" + id)
}

func sealSecrets(ctx context.Context, s Sealer, caller, id string, list []signingSecret) ([]byte, error) {
	plain, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return s.Seal(ctx, plain, sealContext(caller, id))
}

func openSecrets(ctx context.Context, s Sealer, st *Stored) ([]signingSecret, error) {
	plain, err := s.Open(ctx, st.SealedSecrets, sealContext(st.Caller, st.ID))
	if err != nil {
		return nil, err
	}
	var list []signingSecret
	if err := json.Unmarshal(plain, &list); err != nil || len(list) == 0 {
		return nil, fmt.Errorf("webhooks: the endpoint's secrets are not a list")
	}
	return list, nil
}

// activeAt are the secrets that sign at now: the current one, and one
// rotated out less than RotationGrace ago.
func activeAt(list []signingSecret, now time.Time) []string {
	var out []string
	for _, s := range list {
		if s.Expires.IsZero() || now.Before(s.Expires) {
			out = append(out, s.Value)
		}
	}
	return out
}

// rotated is list after a rotation at now to fresh: fresh is current, the
// current one signs for RotationGrace more, and any older one is dropped
// (a second rotation within the grace ends the first one's).
func rotated(list []signingSecret, fresh string, now time.Time) (out []signingSecret, previousExpires time.Time) {
	out = []signingSecret{{Value: fresh}}
	for _, s := range list {
		if s.Expires.IsZero() {
			previousExpires = now.Add(RotationGrace)
			out = append(out, signingSecret{Value: s.Value, Expires: previousExpires})
		}
	}
	return out, previousExpires
}
