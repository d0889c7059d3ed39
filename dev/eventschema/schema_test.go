package eventschema

import (
	"path/filepath"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestSchemasRefuseWhatTheContractForbids ensures the schemas are strict enough to catch a leak: an address, a subject, an unknown type or a wrong status each fail, and a well-formed event passes.
func TestSchemasRefuseWhatTheContractForbids(t *testing.T) {
	s, err := Load(filepath.Join(fixture.ModuleRoot(t), "api", "events"))
	if err != nil {
		t.Fatal(err)
	}
	good := `{"id":"evt_0123456789abcdef0123456789abcdef","type":"message.sent","timestamp":"2026-12-05T09:00:00Z","data":{"messageId":"m1","status":"sent","account":"desk","source":"apigateway-rest","smtpMessageId":"<a@b>"}}`
	if err := s.Validate([]byte(good)); err != nil {
		t.Fatalf("a good event: %v", err)
	}
	for name, bad := range map[string]string{
		"an address":      `{"id":"evt_0123456789abcdef0123456789abcdef","type":"message.sent","timestamp":"2026-12-05T09:00:00Z","data":{"messageId":"m1","status":"sent","account":"desk","source":"x","smtpMessageId":"<a@b>","to":"a@example.com"}}`,
		"a subject":       `{"id":"evt_0123456789abcdef0123456789abcdef","type":"message.sent","timestamp":"2026-12-05T09:00:00Z","subject":"hi","data":{"messageId":"m1","status":"sent","account":"desk","source":"x","smtpMessageId":"<a@b>"}}`,
		"a wrong status":  `{"id":"evt_0123456789abcdef0123456789abcdef","type":"message.sent","timestamp":"2026-12-05T09:00:00Z","data":{"messageId":"m1","status":"failed","account":"desk","source":"x","smtpMessageId":"<a@b>"}}`,
		"an unknown type": `{"id":"evt_0123456789abcdef0123456789abcdef","type":"message.opened","timestamp":"2026-12-05T09:00:00Z","data":{}}`,
		"a bad id":        `{"id":"1","type":"webhook.test","timestamp":"2026-12-05T09:00:00Z","data":{}}`,
		"a bad time":      `{"id":"evt_0123456789abcdef0123456789abcdef","type":"webhook.test","timestamp":"yesterday","data":{}}`,
	} {
		if s.Validate([]byte(bad)) == nil {
			t.Errorf("%s passed", name)
		}
	}
}
