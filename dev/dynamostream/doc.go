// Package dynamostream stands in for DynamoDB Streams and the Lambda event
// source mapping that reads them, in front of dynalite, which has no
// Streams. It is development tooling: nothing here is linked into a
// function.
//
// The Proxy speaks DynamoDB's JSON 1.0 wire protocol. For a write to a
// watched table (PutItem, UpdateItem, DeleteItem, BatchWriteItem) it takes
// the table's lock, reads the item's old image with a consistent GetItem,
// forwards the client's request byte for byte (its signature stays valid),
// reads the new image, and appends a stream record when the two differ, as
// DynamoDB does not record a write that changed nothing. The lock makes
// the stream's order the order dynalite applied the writes in. Reads,
// other operations and unwatched tables pass straight through.
//
// Records are events.DynamoDBEventRecord values built from the wire JSON,
// so a handler receives exactly what Lambda would hand it, with the
// NEW_AND_OLD_IMAGES view.
//
// A Poller plays the event source mapping: batches in stream order from
// one shard, partial batch responses (ReportBatchItemFailures), bisection
// on function error, bounded retries, and an on-failure destination that
// receives AWS's failure record shape.
//
// What it deliberately does not do: several shards, stream expiry (24 h),
// MaximumRecordAgeInSeconds, retry backoff, TransactWriteItems (dynalite
// has none), TTL deletions (dynalite has no TTL), and writes that reach
// dynalite without passing through the proxy, which no stream sees.
package dynamostream
