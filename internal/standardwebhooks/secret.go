package standardwebhooks

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// secretPrefix marks a Standard Webhooks signing secret; what follows is the
// standard base64 of the key.
const secretPrefix = "whsec_"

// newSecretBytes is the key length NewSecret draws: 256 bits, the size of
// HMAC-SHA256's output, so the key is never the weaker part.
const newSecretBytes = 32

// The specification asks for keys between 24 and 64 bytes. Shorter keys are
// guessable; longer ones are hashed down by HMAC anyway and hint at a secret
// pasted from somewhere it does not belong.
const (
	minSecretBytes = 24
	maxSecretBytes = 64
)

// NewSecret returns a fresh signing secret: "whsec_" and the base64 of 32
// random bytes. crypto/rand.Read never returns a short read (since Go 1.24
// it crashes the program instead), so there is no error to handle.
func NewSecret() string {
	key := make([]byte, newSecretBytes)
	_, _ = rand.Read(key)
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret returns the key of a signing secret written with or without
// the "whsec_" prefix, as the reference libraries accept both. The error
// never repeats the input: it is a secret.
func ParseSecret(s string) ([]byte, error) {
	encoded := strings.TrimPrefix(strings.TrimSpace(s), secretPrefix)
	if encoded == "" {
		return nil, newError(CodeInvalidSecret, "signing secret is empty")
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, newError(CodeInvalidSecret, "signing secret is not whsec_ followed by standard base64")
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, newError(CodeInvalidSecret, "signing secret must decode to 24 to 64 bytes")
	}
	return key, nil
}
