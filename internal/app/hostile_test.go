package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/app"
)

type hostile struct {
	name  string
	body  string
	code  string
	field string
}

// with returns a valid request with one field replaced by raw JSON.
func with(field, rawJSON string) string {
	base := map[string]json.RawMessage{
		"user": json.RawMessage(`"sender@gmail.com"`), "password": json.RawMessage(`"abcdefghijklmnop"`),
		"toEmail": json.RawMessage(`"kim@example.com"`), "subject": json.RawMessage(`"s"`), "message": json.RawMessage(`"<p>m</p>"`),
	}
	if rawJSON == "" {
		delete(base, field)
	} else {
		base[field] = json.RawMessage(rawJSON)
	}
	b, _ := json.Marshal(base)
	return string(b)
}

func attachment(filename, content string) string {
	b, _ := json.Marshal([]map[string]string{{"filename": filename, "content": content}})
	return string(b)
}

func q(s string) string { b, _ := json.Marshal(s); return string(b) }

func hostileCatalogue() []hostile {
	many := make([]string, 10000)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.com", i)
	}
	manyJSON, _ := json.Marshal(many)
	rows := []hostile{
		{"empty body", ``, "invalid_request", ""},
		{"whitespace body", "  \n ", "invalid_request", ""},
		{"null body", `null`, "invalid_request", ""},
		{"array body", `[]`, "invalid_request", ""},
		{"string body", `"hello"`, "invalid_request", ""},
		{"number body", `42`, "invalid_request", ""},
		{"truncated JSON", `{"user":"a@b.com"`, "invalid_request", ""},
		{"trailing garbage", with("subject", `"s"`) + `xyz`, "invalid_request", ""},
		{"two objects", `{}{}`, "invalid_request", ""},
		{"invalid UTF-8", "{\"user\":\"\xc3\x28@gmail.com\"}", "invalid_request", ""},
		{"deep nesting", `{"subject":` + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + `}`, "invalid_request", "subject"},
		{"deep nesting unknown key", `{"x":` + strings.Repeat("{\"a\":", 50000) + "1" + strings.Repeat("}", 50000) + `}`, "invalid_request", "x"},
		{"duplicate keys", `{"toEmail":"a@example.com","toEmail":"b@example.com"}`, "invalid_request", "toEmail"},
		{"case-folded key", `{"USER":"a@example.com"}`, "invalid_request", "USER"},
		{"unknown field", with("toEmails", `"a@example.com"`), "invalid_request", "toEmails"},
		{"prototype key", with("__proto__", `{}`), "invalid_request", "__proto__"},
		{"user number", with("user", `5`), "invalid_request", "user"},
		{"user object", with("user", `{}`), "invalid_request", "user"},
		{"subject array", with("subject", `["a"]`), "invalid_request", "subject"},
		{"subject bool", with("subject", `true`), "invalid_request", "subject"},
		{"toEmail number", with("toEmail", `1`), "invalid_request", "toEmail"},
		{"toEmail nested array", with("toEmail", `[["a@example.com"]]`), "invalid_request", "toEmail[0]"},
		{"toEmail null item", with("toEmail", `[null]`), "invalid_request", "toEmail[0]"},
		{"attachments object", with("attachments", `{"filename":"a"}`), "invalid_request", "attachments"},
		{"attachment content number", with("attachments", `[{"filename":"a.txt","content":5}]`), "invalid_request", "attachments[0].content"},
		{"null user", with("user", `null`), "invalid_request", "user"},
		{"null toEmail", with("toEmail", `null`), "invalid_request", "toEmail"},
		{"null message", with("message", `null`), "invalid_request", "message"},
		{"null everywhere", `{"user":null,"password":null,"toEmail":null,"subject":null,"message":null,"cc":null,"attachments":null}`, "invalid_request", "password"},
		{"missing user", with("user", ""), "invalid_request", "user"},
		{"missing toEmail", with("toEmail", ""), "invalid_request", "toEmail"},
		{"missing password", with("password", ""), "invalid_request", "password"},
		{"empty toEmail list", with("toEmail", `[]`), "invalid_request", "toEmail"},
		{"10000 recipients", with("toEmail", string(manyJSON)), "invalid_request", "toEmail"},
		{"101 recipients across fields", with("cc", string(must(json.Marshal(many[:101])))), "invalid_request", "toEmail"},
		{"CRLF in subject", with("subject", q("hi\r\nBcc: evil@example.com")), "invalid_request", "subject"},
		{"LF in subject", with("subject", q("hi\nX-Evil: 1")), "invalid_request", "subject"},
		{"CR in subject", with("subject", q("hi\rX-Evil: 1")), "invalid_request", "subject"},
		{"NUL in subject", with("subject", q("a\x00b")), "invalid_request", "subject"},
		{"U+2028 in subject", with("subject", q("a\u2028b")), "invalid_request", "subject"},
		{"CRLF in fromUsername", with("fromUsername", q("Bob\r\nBcc: evil@example.com")), "invalid_request", "fromUsername"},
		{"CRLF in user", with("user", q("sender@gmail.com\r\nBcc: evil@example.com")), "invalid_request", "user"},
		{"CRLF in toEmail", with("toEmail", q("a@example.com\r\nBcc: evil@example.com")), "invalid_request", "toEmail"},
		{"CRLF in cc", with("cc", q("a@example.com\nBcc: evil@example.com")), "invalid_request", "cc"},
		{"CRLF in bcc", with("bcc", q("a@example.com\r\n")), "invalid_request", "bcc"},
		{"CRLF in replyTo", with("replyTo", q("a@example.com\r\nX: y")), "invalid_request", "replyTo"},
		{"CRLF in display name", with("toEmail", q("\"Bob\r\nBcc: e@example.com\" <a@example.com>")), "invalid_request", "toEmail"},
		{"encoded CRLF in display name", with("toEmail", q("=?utf-8?q?Bob=0D=0ABcc=3A_e@example.com?= <a@example.com>")), "invalid_request", "toEmail"},
		{"CRLF in filename", with("attachments", attachment("a\r\nContent-Type: text/html", "YQ==")), "invalid_request", "attachments[0].filename"},
		{"CRLF in contentType", with("attachments", `[{"filename":"a.txt","contentType":"text/plain\r\nX: y","content":"YQ=="}]`), "invalid_request", "attachments[0].contentType"},
		{"CRLF in credential", with("credential", q("desk\r\n")), "invalid_request", "credential"},
		{"quoted local part", with("toEmail", q(`"john doe"@example.com`)), "invalid_request", "toEmail"},
		{"quotes everywhere", with("toEmail", q(`"a"@"b".com`)), "invalid_request", "toEmail"},
		{"comment in address", with("toEmail", q("a@example.com (the boss)")), "invalid_request", "toEmail"},
		{"comment in domain", with("toEmail", q("a@(x)example.com")), "invalid_request", "toEmail"},
		{"IDN domain", with("toEmail", q("a@한국.kr")), "invalid_request", "toEmail"},
		{"homoglyph domain (Cyrillic a)", with("toEmail", q("a@gmаil.com")), "invalid_request", "toEmail"},
		{"homoglyph user", with("user", q("sеnder@gmail.com")), "invalid_request", "user"},
		{"address literal", with("toEmail", q("a@[127.0.0.1]")), "invalid_request", "toEmail"},
		{"no domain dot", with("toEmail", q("root@localhost")), "invalid_request", "toEmail"},
		{"two @", with("toEmail", q("a@b@example.com")), "invalid_request", "toEmail"},
		{"group syntax", with("toEmail", q("undisclosed-recipients:;")), "invalid_request", "toEmail"},
		{"overlong address", with("toEmail", q(strings.Repeat("a", 300)+"@example.com")), "invalid_request", "toEmail"},
		{"user with display name", with("user", q("Boss <sender@gmail.com>")), "invalid_request", "user"},
		{"path filename", with("attachments", attachment("../../etc/passwd", "YQ==")), "invalid_request", "attachments[0].filename"},
		{"absolute filename", with("attachments", attachment("/etc/passwd", "YQ==")), "invalid_request", "attachments[0].filename"},
		{"windows filename", with("attachments", attachment(`..\..\boot.ini`, "YQ==")), "invalid_request", "attachments[0].filename"},
		{"dot-dot filename", with("attachments", attachment("..", "YQ==")), "invalid_request", "attachments[0].filename"},
		{"empty filename", with("attachments", attachment("", "YQ==")), "invalid_request", "attachments[0].filename"},
		{"base64 garbage", with("attachments", attachment("a.txt", "!!!notbase64***")), "invalid_request", "attachments[0].content"},
		{"base64 with embedded garbage", with("attachments", attachment("a.txt", "YWJj\x00ZGVm")), "invalid_request", "attachments[0].content"},
		{"base64 bad padding", with("attachments", attachment("a.txt", "YQ=a")), "invalid_request", "attachments[0].content"},
		{"empty attachment", with("attachments", attachment("a.txt", "")), "invalid_request", "attachments[0].content"},
		{"multipart content type", with("attachments", `[{"filename":"a.txt","contentType":"multipart/mixed; boundary=x","content":"YQ=="}]`), "invalid_request", "attachments[0].contentType"},
		{"NUL in message", with("message", q("<p>\x00</p>")), "invalid_request", "message"},
		{"empty message and text", with("message", q("   ")), "invalid_request", "message"},
		{"password and credential", with("credential", q("desk")), "invalid_request", "credential"},
		{"password and accessToken", with("accessToken", q("ya29.x")), "invalid_request", "accessToken"},
		{"refresh token in request", with("refreshToken", q("1//x")), "invalid_request", "refreshToken"},
		{"credential path climbing", strings.Replace(with("credential", q("../../prod/db")), `"password":"abcdefghijklmnop",`, "", 1), "invalid_request", "credential"},
		{"credential ARN", strings.Replace(with("credential", q("arn:aws:secretsmanager:us-east-1:1:secret:x")), `"password":"abcdefghijklmnop",`, "", 1), "invalid_request", "credential"},
		{"50 MB body", `{"message":"` + strings.Repeat("a", 50<<20) + `"}`, "payload_too_large", ""},
		{"attachment over the message limit", with("attachments", attachment("big.bin", strings.Repeat("QUFB", 1_200_000))), "payload_too_large", "attachments"},
	}
	return rows
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestHostileInputCatalogue ensures every malformed or hostile request gets a 4xx with a stable code and the field, and none reaches the SMTP server.
func TestHostileInputCatalogue(t *testing.T) {
	rows := hostileCatalogue()
	if len(rows) < 60 {
		t.Fatalf("catalogue has %d rows, want at least 60", len(rows))
	}
	h := newHarness(t, setup{Config: func(c *app.Config) { c.MaxMessageBytes = 4 << 20 }})
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			out, err := h.invoke(t, apiEvent(row.body))
			if err != nil {
				t.Fatal(err)
			}
			resp := out.(events.APIGatewayProxyResponse)
			var body errBody
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("body %q", resp.Body)
			}
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
			}
			if body.Error.Code != row.code || body.Error.Field != row.field {
				t.Fatalf("got %s field=%q (%s), want %s field=%q", body.Error.Code, body.Error.Field, body.Error.Message, row.code, row.field)
			}
			if len(body.Error.Message) > 400 {
				t.Fatalf("error message of %d bytes echoes the input", len(body.Error.Message))
			}
		})
	}
	if st := h.srv.Stats(); st.Connections != 0 {
		t.Fatalf("hostile requests reached the SMTP server: %+v", st)
	}
}

// apiEvent wraps a body in a REST API proxy event without re-encoding it (the body may be invalid UTF-8).
func apiEvent(body string) []byte {
	ev := events.APIGatewayProxyRequest{Resource: "/send", Path: "/send", HTTPMethod: "POST",
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "hostile"}}
	if strings.ContainsRune(body, '\uFFFD') || !isUTF8(body) {
		ev.Body, ev.IsBase64Encoded = base64Std(body), true
	} else {
		ev.Body = body
	}
	b, _ := json.Marshal(ev)
	return b
}
