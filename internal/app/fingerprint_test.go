package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestFingerprintResistsBruteForce ensures someone who reads the table cannot recover a short secret of a message (a five-digit code) from its record's fingerprint by hashing every guess: knowing every other field of the request, none of the 100,000 guesses hashes to what is stored, while the same search with the deployment's key finds the code.
func TestFingerprintResistsBruteForce(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	const code = "48213"
	body := func(code string) string {
		return storeRequest(fixture.User, "kim@example.com", map[string]any{"message": "<p>" + bodyMarker + " your code is " + code + "</p>"})
	}
	if resp := h.postSend(t, body(code), "key-a", "login-1"); resp.StatusCode != 200 {
		t.Fatalf("send: %d %s", resp.StatusCode, resp.Body)
	}
	stored := ""
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := h.dynamo.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("messages")})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		if fp := dynalite.AttrText(item["fingerprint"]); fp != "" {
			stored = fp
		}
	}
	if stored == "" {
		t.Fatal("no record with a fingerprint")
	}
	digest := stored[strings.LastIndex(stored, ":")+1:]

	// The attacker knows the request but the code, and how it is hashed.
	known, err := gmailsend.DecodeRequest([]byte(body("CODE")))
	if err != nil {
		t.Fatal(err)
	}
	known.Password, known.AccessToken, known.IdempotencyKey = "", "", ""
	canonical := func(code string) []byte {
		req := *known
		req.Message = strings.Replace(known.Message, "CODE", code, 1)
		raw, _ := json.Marshal(req)
		return raw
	}
	search := func(hash func([]byte) []byte) string {
		for i := range 100000 {
			guess := fmt.Sprintf("%05d", i)
			if hex.EncodeToString(hash(canonical(guess))) == digest {
				return guess
			}
		}
		return ""
	}
	if found := search(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }); found != "" {
		t.Fatalf("the code %s was recovered from the table's fingerprint %s", found, stored)
	}
	withKey := func(b []byte) []byte {
		m := hmac.New(sha256.New, []byte(testFingerprintKey))
		m.Write(b)
		return m.Sum(nil)
	}
	if found := search(withKey); found != code {
		t.Fatalf("with the deployment's key the search found %q, want %s: the search itself is wrong", found, code)
	}
}
