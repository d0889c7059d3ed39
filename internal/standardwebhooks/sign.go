package standardwebhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The three headers of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// signatureVersion prefixes every signature: v1 is HMAC-SHA256. Receivers
// skip versions they do not know, which is what lets a v1a (asymmetric)
// signature be added later without breaking them.
const signatureVersion = "v1"

// Sign returns the three Standard Webhooks headers for one attempt to send
// body as message id at time at, signed once with each secret. Passing both
// the old and the new secret during a rotation's grace period lets receivers
// that still hold the old one keep verifying; the caller decides which
// secrets are active.
func Sign(secrets []string, id string, at time.Time, body []byte) (http.Header, error) {
	if id == "" {
		return nil, newError(CodeInvalidMessage, "message id is empty")
	}
	if len(secrets) == 0 {
		return nil, newError(CodeInvalidSecret, "no signing secret")
	}
	timestamp := strconv.FormatInt(at.Unix(), 10)
	signatures := make([]string, 0, len(secrets))
	for _, secret := range secrets {
		key, err := ParseSecret(secret)
		if err != nil {
			return nil, err
		}
		mac := signedContentMAC(key, id, timestamp, body)
		signatures = append(signatures, signatureVersion+","+base64.StdEncoding.EncodeToString(mac))
	}
	header := http.Header{}
	header.Set(HeaderID, id)
	header.Set(HeaderTimestamp, timestamp)
	header.Set(HeaderSignature, strings.Join(signatures, " "))
	return header, nil
}

// signedContentMAC is HMAC-SHA256 over "id.timestamp.body", the content the
// specification signs. The timestamp is inside the MAC so that a captured
// request cannot be replayed later with a fresh timestamp.
func signedContentMAC(key []byte, id, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}
