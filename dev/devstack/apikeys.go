package devstack

import (
	"fmt"
	"strings"
)

// LocalAPIKey is one API key `make serve` knows: the value a caller puts in
// the x-api-key header, and the key's id, which is what API Gateway hands
// the function (requestContext.identity.apiKeyId) and what records,
// idempotency keys and a credential's allowedCallers are scoped to.
type LocalAPIKey struct {
	Value, ID string
}

// APIKeys are `make serve`'s keys. A request without x-api-key is let
// through with no key id (API Gateway would answer 403 Forbidden), so the
// curl lines of README.md and docs/ work as they are; a key not in this list is
// refused as API Gateway refuses it.
var APIKeys = []LocalAPIKey{
	{Value: "local-key-a", ID: "localkeyida"},
	{Value: "local-key-b", ID: "localkeyidb"},
}

// TeamCredential is the sample stored credential only the first local API
// key may use (its allowedCallers), to try per-caller credentials locally.
const TeamCredential = "team-desk"

// APIKeyID is the id of the key with this value, and whether it is known.
func APIKeyID(value string) (string, bool) {
	for _, k := range APIKeys {
		if k.Value == value {
			return k.ID, true
		}
	}
	return "", false
}

// APIKeyTable describes the local keys for `make serve`'s start-up lines.
func APIKeyTable() string {
	var b strings.Builder
	b.WriteString("API keys (x-api-key value → the key id the function sees; records and idempotency keys are scoped to it):\n")
	for _, k := range APIKeys {
		fmt.Fprintf(&b, "  %-12s → %s\n", k.Value, k.ID)
	}
	fmt.Fprintf(&b, "  (none)       → no key id: allowed locally, refused by API Gateway (403)\n")
	fmt.Fprintf(&b, "  stored credential %s may be used only with %s (allowedCallers [%q])\n", TeamCredential, APIKeys[0].Value, APIKeys[0].ID)
	return b.String()
}
