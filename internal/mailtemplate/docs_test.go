package mailtemplate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/mailtemplate"
)

// TestDocsSampleRendersAndLimitsMatch ensures docs/booking.json parses and renders with the variables docs/templates.md shows, and the limits the doc states are the code's.
func TestDocsSampleRendersAndLimitsMatch(t *testing.T) {
	root := fixture.ModuleRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "docs", "booking.json"))
	if err != nil {
		t.Fatal(err)
	}
	var src mailtemplate.Source
	if err := json.Unmarshal(raw, &src); err != nil {
		t.Fatal(err)
	}
	p, err := mailtemplate.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	vars, _ := mailtemplate.DecodeVariables(json.RawMessage(`{"name": "홍길동", "time": "12월 5일 10:00", "url": "https://example.com/b/1024", "items": ["2인", "창가석"]}`))
	out, err := p.Render(vars)
	if err != nil || out.Subject != "예약 확인: 홍길동님, 12월 5일 10:00" || !strings.Contains(out.HTML, "<li>창가석</li>") || !strings.Contains(out.Text, "- 2인") {
		t.Fatalf("render: %+v %v", out, err)
	}
	doc, _ := os.ReadFile(filepath.Join(root, "docs", "templates.md"))
	for _, n := range []int{mailtemplate.MaxSourceBytes, mailtemplate.MaxDescriptionBytes} {
		s := strconv.Itoa(n)
		with := s[:len(s)-3] + "," + s[len(s)-3:]
		if !strings.Contains(string(doc), with) {
			t.Errorf("docs/templates.md does not state %s", with)
		}
	}
	if !strings.Contains(string(doc), strconv.Itoa(mailtemplate.MaxNameLength)+" characters") {
		t.Error("docs/templates.md does not state the name limit")
	}
}
