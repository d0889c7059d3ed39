package standardwebhooks

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestNewSecretIsPrefixedBase64Of32RandomBytes ensures new secrets have the
// specification's form, the full key length, and are not repeated.
func TestNewSecretIsPrefixedBase64Of32RandomBytes(t *testing.T) {
	first, second := NewSecret(), NewSecret()
	if first == second {
		t.Fatal("two NewSecret calls returned the same secret")
	}
	encoded, ok := strings.CutPrefix(first, "whsec_")
	if !ok {
		t.Fatalf("secret %q lacks the whsec_ prefix", first)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != 32 {
		t.Fatalf("secret decodes to %d bytes (err %v), want 32", len(key), err)
	}
	parsed, err := ParseSecret(first)
	if err != nil || string(parsed) != string(key) {
		t.Fatalf("ParseSecret(NewSecret()) = %x, %v; want %x", parsed, err, key)
	}
}

// TestParseSecretAcceptsBothFormsAndRefusesBadInput ensures the prefix is
// optional, as in the reference libraries, and bad secrets are refused
// without echoing them.
func TestParseSecretAcceptsBothFormsAndRefusesBadInput(t *testing.T) {
	withPrefix, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	without, err := ParseSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil || string(without) != string(withPrefix) || len(withPrefix) != 24 {
		t.Fatalf("with prefix %x, without %x (%v): want the same 24 bytes", withPrefix, without, err)
	}
	bad := map[string]string{
		"empty":        "",
		"prefix only":  "whsec_",
		"not base64":   "whsec_not*base64*at*all*here!!",
		"url alphabet": "whsec_" + base64.URLEncoding.EncodeToString([]byte("\xfb\xff\xfe-24-bytes-of-key-here!!")),
		"16 bytes":     "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"65 bytes":     "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)),
		"missing pad":  "whsec_" + strings.TrimRight(base64.StdEncoding.EncodeToString(make([]byte, 25)), "="),
	}
	for name, secret := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSecret(secret)
			if CodeOf(err) != CodeInvalidSecret {
				t.Fatalf("ParseSecret = %v, want %s", err, CodeInvalidSecret)
			}
			if secret != "" && secret != "whsec_" && strings.Contains(err.Error(), strings.TrimPrefix(secret, "whsec_")) {
				t.Fatalf("error %q repeats the secret", err)
			}
		})
	}
}
