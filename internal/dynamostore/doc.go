// Package dynamostore keeps message records, idempotency claims and quota
// buckets in one DynamoDB table (MESSAGES_TABLE) with the AWS SDK for Go
// v2. The SDK is configured from the environment (package awsenv), so
// AWS_ENDPOINT_URL_DYNAMODB points it at a local endpoint (dynalite) with
// no code change; the configuration is loaded on first use.
//
// Only single-item conditional writes: no transactions, no scans.
//
// # Key layout
//
// The table has a string partition key pk and a string sort key sk; an
// item's kind is its key prefix. expiresAt (epoch seconds) is the TTL
// attribute of every item that expires.
//
//	kind                          pk                    sk
//	message record (= idem claim) msg#<id>              msg
//	quota hour bucket             quota#<account>       hour#<epoch hour, 10 digits>
//	scheduled request body        msg#<id>              body           (queue)
//	suppressed address            sup#<account>#<hash>  sup            (bounces)
//	IMAP checkpoint               imap#<account>        imap           (bounces)
//	webhook endpoint              hook#<caller>         slot#<00-09>   (webhooks.go)
//	webhook account index         hooksup#<account>     callers        (webhooks_accounts.go)
//
// Bounces find a record by its Message-ID through the sparse global
// secondary index byMessageId (KEYS_ONLY) on the record's messageId, so a
// send costs no extra write; no other item kind has a messageId attribute.
//
// A record sent with an idempotency key has an id derived from the caller
// and the key (gmailsend.KeyedID), so the record itself is the key's claim: one
// conditional PutItem claims the key and creates the record. Other features
// add their item kinds in their own files, with the prefixes above.
package dynamostore
