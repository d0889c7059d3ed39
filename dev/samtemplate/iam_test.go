package samtemplate_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// testKey is a customer managed key as KmsKeyArn takes it.
const testKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// secretARN is the ARN of the secret named name (Secrets Manager adds six
// random characters).
func secretARN(name string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-Xy12Ab", samtemplate.Region, samtemplate.AccountID, name)
}

var tableARN = samtemplate.ARN("AWS::DynamoDB::Table", "MessagesTable")

func statementsOf(t *testing.T, params map[string]any, function string) []samtemplate.Statement {
	t.Helper()
	stmts, err := samtemplate.NewResolver(load(t), params).FunctionStatements(function)
	if err != nil {
		t.Fatal(err)
	}
	return stmts
}

func getSecret(name string) samtemplate.Request {
	return samtemplate.Request{Action: "secretsmanager:GetSecretValue", Resource: secretARN(name)}
}

func item(action, pk string) samtemplate.Request {
	return samtemplate.Request{Action: "dynamodb:" + action, Resource: tableARN, Context: map[string][]string{"dynamodb:LeadingKeys": {pk}}}
}

// TestCredentialPrefixEndsWithSlash ensures CredentialPrefix must end with "/" (so "secret:<prefix>*" never reaches gmailsend-prod/… or gmailsendx), and that the send function's grant then covers the prefix's secrets and nothing beside them.
func TestCredentialPrefixEndsWithSlash(t *testing.T) {
	tpl := load(t)
	pattern := regexp.MustCompile(fmt.Sprint(get(tpl, "Parameters", "CredentialPrefix", "AllowedPattern")))
	for prefix, ok := range map[string]bool{
		"gmailsend/": true, "team/mail/": true, "a/": true,
		"gmailsend": false, "gmailsend*": false, "": false, "/": false, "gmail send/": false,
	} {
		if pattern.MatchString(prefix) != ok {
			t.Errorf("CredentialPrefix %q accepted: %v, want %v", prefix, !ok, ok)
		}
	}
	if d := fmt.Sprint(get(tpl, "Parameters", "CredentialPrefix", "Default")); !pattern.MatchString(d) {
		t.Errorf("the default %q does not match its own pattern", d)
	}
	stmts := statementsOf(t, map[string]any{"CredentialPrefix": "gmailsend/"}, "GmailSendFunction")
	for name, ok := range map[string]bool{"gmailsend/desk": true, "gmailsend/team/desk": true,
		"gmailsend-prod/desk": false, "gmailsendx": false, "other/desk": false} {
		if samtemplate.Allowed(stmts, getSecret(name)) != ok {
			t.Errorf("the send function reading %s: allowed %v, want %v", name, !ok, ok)
		}
	}
}

// TestBounceReaderReadsOnlyItsCredentials ensures the bounce reader may read exactly the secrets BounceCredentials names (one to five of them), not the rest of the prefix, the fingerprint key or a name that only begins like one of them, and that the parameter refuses what its policy could not express.
func TestBounceReaderReadsOnlyItsCredentials(t *testing.T) {
	tpl := load(t)
	for _, names := range [][]string{{"support-desk"}, {"support-desk", "oauth-desk"}, {"a", "b", "c", "team/d", "e@x"}} {
		list := ""
		for i, n := range names {
			if i > 0 {
				list += ","
			}
			list += n
		}
		stmts := statementsOf(t, map[string]any{"BounceCredentials": list}, "BounceFunction")
		for _, n := range names {
			if !samtemplate.Allowed(stmts, getSecret("gmailsend/"+n)) {
				t.Errorf("BounceCredentials %q: the reader may not read its credential %s", list, n)
			}
		}
		for _, other := range []string{"gmailsend/other-desk", "gmailsend/support-desk-old", "gmailsend/support", "gmailsend/", "gmailsend-fingerprint"} {
			if samtemplate.Allowed(stmts, getSecret(other)) {
				t.Errorf("BounceCredentials %q: the reader may read %s", list, other)
			}
		}
		if samtemplate.Allowed(stmts, samtemplate.Request{Action: "secretsmanager:GetSecretValue", Resource: samtemplate.ARN("AWS::SecretsManager::Secret", "FingerprintKey")}) {
			t.Errorf("BounceCredentials %q: the reader may read the fingerprint key", list)
		}
	}
	pattern := regexp.MustCompile(fmt.Sprint(get(tpl, "Parameters", "BounceCredentials", "AllowedPattern")))
	for value, ok := range map[string]bool{"": true, "a": true, "a,b,c,d,e": true, "a,b,c,d,e,f": false, "a, b": false, "a,,b": false, "a,": false} {
		if pattern.MatchString(value) != ok {
			t.Errorf("BounceCredentials %q accepted: %v, want %v", value, !ok, ok)
		}
	}
}

// TestItemWritesConfinedToTheirKinds ensures each function may write (put, update, delete) only the item kinds it keeps, by dynamodb:LeadingKeys on the partition key's prefix: the bounce reader, which parses hostile mail, never a quota bucket or a whole record, the send function never a checkpoint, and neither deletes anything but a suppression entry or (the send function) a webhook endpoint; the send function only adds to an account's webhook index, which the events function only reads; the events function only reads and updates endpoints.
func TestItemWritesConfinedToTheirKinds(t *testing.T) {
	cases := []struct {
		function string
		allowed  []samtemplate.Request
		refused  []samtemplate.Request
	}{
		{"GmailSendFunction",
			[]samtemplate.Request{item("PutItem", "msg#abc"), item("UpdateItem", "msg#abc"), item("UpdateItem", "quota#addr:1"),
				item("PutItem", "sup#addr:1#h"), item("DeleteItem", "sup#addr:1#h"), item("GetItem", "msg#abc"), item("BatchGetItem", "sup#addr:1#h"),
				item("PutItem", "hook#key"), item("UpdateItem", "hook#key"), item("DeleteItem", "hook#key"), item("GetItem", "hook#key"), item("Query", "hook#key"),
				item("UpdateItem", "hooksup#addr:1")},
			[]samtemplate.Request{item("PutItem", "imap#addr:1"), item("PutItem", "hooksup#addr:1"), item("DeleteItem", "hooksup#addr:1"), item("UpdateItem", "imap#addr:1"), item("PutItem", "other#x"),
				item("DeleteItem", "msg#abc"), item("DeleteItem", "quota#addr:1"), item("BatchWriteItem", "msg#abc"), item("GetItem", "imap#addr:1"),
				item("BatchGetItem", "hook#key")}},
		{"EventsFunction",
			[]samtemplate.Request{item("GetItem", "hook#key"), item("Query", "hook#key"), item("UpdateItem", "hook#key"), item("GetItem", "hooksup#addr:1")},
			[]samtemplate.Request{item("UpdateItem", "hooksup#addr:1"), item("PutItem", "hook#key"), item("DeleteItem", "hook#key"), item("GetItem", "msg#abc"), item("UpdateItem", "msg#abc")}},
		{"BounceFunction",
			[]samtemplate.Request{item("GetItem", "imap#addr:1"), item("PutItem", "imap#addr:1"), item("GetItem", "msg#abc"),
				item("UpdateItem", "msg#abc"), item("PutItem", "sup#addr:1#h")},
			[]samtemplate.Request{item("PutItem", "msg#abc"), item("UpdateItem", "quota#addr:1"), item("PutItem", "quota#addr:1"),
				item("DeleteItem", "sup#addr:1#h"), item("DeleteItem", "msg#abc"), item("UpdateItem", "sup#addr:1#h"), item("GetItem", "quota#addr:1")}},
	}
	for _, key := range []string{"", testKey} {
		for _, c := range cases {
			stmts := statementsOf(t, map[string]any{"BounceCredentials": "support-desk", "KmsKeyArn": key}, c.function)
			for _, r := range c.allowed {
				if !samtemplate.Allowed(stmts, r) {
					t.Errorf("%s may not %s %v", c.function, r.Action, r.Context["dynamodb:LeadingKeys"])
				}
			}
			for _, r := range c.refused {
				if samtemplate.Allowed(stmts, r) {
					t.Errorf("%s may %s %v", c.function, r.Action, r.Context["dynamodb:LeadingKeys"])
				}
			}
			// Every statement that lets it write the table names the kinds.
			for _, st := range stmts {
				for _, a := range st.Actions {
					switch a {
					case "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem":
						if len(st.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) == 0 {
							t.Errorf("%s: statement %s allows %s on any item", c.function, st.Sid, a)
						}
					}
				}
			}
		}
	}
}

// TestDataAtRestUnderTheKey ensures KmsKeyArn, when set, encrypts the send queue, the dead-letter queue, the message table, the fingerprint key and the scheduled sends (SCHEDULE_KMS_KEY_ARN), lets the functions use it, and when empty leaves AWS managed encryption on everywhere; and that the dead-letter queue outlives the stack.
func TestDataAtRestUnderTheKey(t *testing.T) {
	tpl := load(t)
	for _, key := range []string{"", testKey} {
		r := samtemplate.NewResolver(tpl, map[string]any{"KmsKeyArn": key, "BounceCredentials": "support-desk"})
		props := func(id string) map[string]any {
			v, err := r.Deep(get(resources(tpl)[id], "Properties"))
			if err != nil {
				t.Fatal(err)
			}
			return v.(map[string]any)
		}
		for _, q := range []string{"SendQueue", "DeadLetterQueue"} {
			p := props(q)
			if key == "" && (p["SqsManagedSseEnabled"] != true || p["KmsMasterKeyId"] != nil) ||
				key != "" && (p["KmsMasterKeyId"] != key || p["SqsManagedSseEnabled"] != nil) {
				t.Errorf("KmsKeyArn %q: %s encryption %v %v", key, q, p["SqsManagedSseEnabled"], p["KmsMasterKeyId"])
			}
		}
		sse := get(props("MessagesTable"), "SSESpecification")
		if get(sse, "SSEEnabled") != true || key != "" && (get(sse, "SSEType") != "KMS" || get(sse, "KMSMasterKeyId") != key) ||
			key == "" && get(sse, "KMSMasterKeyId") != nil {
			t.Errorf("KmsKeyArn %q: table encryption %v", key, sse)
		}
		if got := get(props("FingerprintKey"), "KmsKeyId"); key != "" && got != key || key == "" && got != nil {
			t.Errorf("KmsKeyArn %q: fingerprint key encrypted with %v", key, got)
		}
		if got := get(props("GmailSendFunction"), "Environment", "Variables", "SCHEDULE_KMS_KEY_ARN"); fmt.Sprint(got) != key {
			t.Errorf("KmsKeyArn %q: SCHEDULE_KMS_KEY_ARN is %v", key, got)
		}
		use := samtemplate.Request{Action: "kms:Decrypt", Resource: key}
		for _, fn := range []string{"GmailSendFunction", "BounceFunction"} {
			if got := samtemplate.Allowed(statementsOf(t, map[string]any{"KmsKeyArn": key, "BounceCredentials": "support-desk"}, fn), use); got != (key != "") {
				t.Errorf("KmsKeyArn %q: %s may decrypt with it: %v", key, fn, got)
			}
		}
	}
	dlq := resources(tpl)["DeadLetterQueue"]
	if get(dlq, "DeletionPolicy") != "Retain" || get(dlq, "UpdateReplacePolicy") != "Retain" {
		t.Errorf("the dead-letter queue is deleted with the stack (DeletionPolicy %v, UpdateReplacePolicy %v)", get(dlq, "DeletionPolicy"), get(dlq, "UpdateReplacePolicy"))
	}
	pattern := regexp.MustCompile(fmt.Sprint(get(tpl, "Parameters", "KmsKeyArn", "AllowedPattern")))
	if !pattern.MatchString(testKey) || !pattern.MatchString("") || pattern.MatchString("alias/aws/sqs") {
		t.Error("KmsKeyArn's pattern takes what it should not, or refuses a key ARN")
	}
}
