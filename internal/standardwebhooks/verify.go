package standardwebhooks

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a webhook-timestamp may lie from the receiver's clock,
// in either direction, before Verify refuses it. Five minutes is the
// specification's value: wide enough for clock skew and a slow network,
// narrow enough that a captured request cannot be replayed much later.
const Tolerance = 5 * time.Minute

// Verify checks a received webhook as a receiver must: all three headers
// present, the timestamp within Tolerance of now, and at least one of the
// space-separated v1 signatures made by one of secrets over exactly body.
// Signatures of other versions are ignored. Comparison is constant-time, so
// the time taken does not tell an attacker how much of a guess was right.
func Verify(secrets []string, header http.Header, body []byte, now time.Time) error {
	id, timestampText, signatureList := header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	for _, h := range [...]struct{ name, value string }{{HeaderID, id}, {HeaderTimestamp, timestampText}, {HeaderSignature, signatureList}} {
		if h.value == "" {
			return newError(CodeMissingHeader, "header "+h.name+" is missing")
		}
	}
	seconds, err := strconv.ParseInt(timestampText, 10, 64)
	if err != nil {
		return newError(CodeBadTimestamp, "header webhook-timestamp is not unix seconds")
	}
	if err := checkTimestamp(time.Unix(seconds, 0), now); err != nil {
		return err
	}
	offered := offeredSignatures(signatureList)
	timestamp := strconv.FormatInt(seconds, 10)
	for _, secret := range secrets {
		key, err := ParseSecret(secret)
		if err != nil {
			return err
		}
		want := signedContentMAC(key, id, timestamp, body)
		for _, got := range offered {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return newError(CodeNoMatchingSignature, "no signature matches a known secret")
}

func checkTimestamp(sent, now time.Time) error {
	if now.Sub(sent) > Tolerance {
		return newError(CodeTimestampTooOld, "webhook-timestamp is more than 5 minutes old")
	}
	if sent.Sub(now) > Tolerance {
		return newError(CodeTimestampTooNew, "webhook-timestamp is more than 5 minutes in the future")
	}
	return nil
}

// offeredSignatures decodes the v1 entries of a webhook-signature header,
// skipping anything it cannot read rather than failing: one malformed or
// future-version entry must not hide a valid one next to it.
func offeredSignatures(list string) [][]byte {
	var macs [][]byte
	for _, entry := range strings.Fields(list) {
		version, encoded, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion {
			continue
		}
		mac, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			continue
		}
		macs = append(macs, mac)
	}
	return macs
}
