package benchmark

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// Prices are the list prices the cost of 1,000 sends is computed with, in
// US dollars: AWS in us-east-1 (Lambda on arm64, as the template deploys
// it), Amazon SES and Resend per message for comparison.
var Prices = struct {
	LambdaGBSecond, LambdaRequest float64
	DynamoWRU, DynamoRRU          float64 // on-demand request units
	SQSRequest                    float64 // standard queue, per 64 KB request
	SecretsCall                   float64
	SESMessage                    float64
	ResendPro, ResendOverage      float64 // per message: Pro's $20 for 50,000, and its overage
}{
	LambdaGBSecond: 0.0000133334, LambdaRequest: 0.20 / 1e6,
	DynamoWRU: 0.625 / 1e6, DynamoRRU: 0.125 / 1e6,
	SQSRequest:  0.40 / 1e6,
	SecretsCall: 0.05 / 1e4,
	SESMessage:  0.10 / 1000,
	ResendPro:   20.0 / 50000, ResendOverage: 0.90 / 1000,
}

// PricesSource says where Prices come from, for the report.
const PricesSource = "AWS list prices for us-east-1 as published in 2025 (Lambda arm64 $0.0000133334 per GB-second and $0.20 per million requests; " +
	"DynamoDB on-demand $0.625 per million write and $0.125 per million read request units, the prices since November 2024; " +
	"SQS standard $0.40 per million requests; Secrets Manager $0.05 per 10,000 calls), free tiers left out; " +
	"Amazon SES $0.10 per 1,000 messages; Resend's Pro plan $20 a month for 50,000 ($0.40 per 1,000 when used in full), $0.90 per 1,000 beyond"

// sendCost is what one kind of send uses on AWS, per message.
type sendCost struct {
	Name        string
	Invocations float64 // Lambda requests
	BilledMs    float64 // billed Lambda duration (each invocation rounded up to 1 ms)
	WRU, RRU    float64 // DynamoDB request units
	SQS         float64 // SQS requests
	Secrets     float64 // Secrets Manager calls
	Basis       string  // what was measured and what was modelled
}

// per1000 is the cost of 1,000 such sends at memoryMB, by service.
func (c sendCost) per1000(memoryMB int) (lambda, dynamo, sqs, secrets float64) {
	gbs := c.BilledMs / 1000 * float64(memoryMB) / 1024
	lambda = 1000 * (c.Invocations*Prices.LambdaRequest + gbs*Prices.LambdaGBSecond)
	dynamo = 1000 * (c.WRU*Prices.DynamoWRU + c.RRU*Prices.DynamoRRU)
	return lambda, dynamo, 1000 * c.SQS * Prices.SQSRequest, 1000 * c.Secrets * Prices.SecretsCall
}

// billedMs is Lambda's billed duration of one invocation that took d.
func billedMs(d time.Duration) float64 { return math.Ceil(float64(d) / float64(time.Millisecond)) }

// warmCost is a synchronous send from a warm workload's invocations (one
// message each).
func warmCost(name string, res Result, basis string) sendCost {
	var ms float64
	for _, d := range res.Latencies {
		ms += billedMs(d)
	}
	return sendCost{Name: name, Invocations: 1, BilledMs: ms / float64(max(len(res.Latencies), 1)), Basis: basis}
}

// dynamoUnits turns counted DynamoDB requests into request units: one
// write unit per write (every item the function writes is under 1 KB) and
// one read unit per read (strongly consistent, under 4 KB).
func dynamoUnits(requests map[string]int) (wru, rru float64) {
	for op, n := range requests {
		switch op {
		case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems":
			wru += float64(n)
		case "GetItem", "Query", "BatchGetItem", "Scan", "TransactGetItems":
			rru += float64(n)
		}
	}
	return wru, rru
}

// CostReport is the cost of 1,000 sends of each kind at the template's
// memory size.
type CostReport struct {
	MemoryMB int
	Rows     []sendCost
}

// TemplateMemoryMB is the send function's MemorySize in template.yaml.
func TemplateMemoryMB(root string) (int, error) {
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return 0, err
	}
	fn, _ := tpl["Resources"].(map[string]any)["GmailSendFunction"].(map[string]any)
	props, _ := fn["Properties"].(map[string]any)
	if mb, ok := props["MemorySize"].(int64); ok {
		return int(mb), nil
	}
	globals, _ := tpl["Globals"].(map[string]any)["Function"].(map[string]any)
	if mb, ok := globals["MemorySize"].(int64); ok {
		return int(mb), nil
	}
	return 0, fmt.Errorf("benchmark: no MemorySize for GmailSendFunction in template.yaml")
}

// NewCostReport gathers the kinds of send the run measured: the warm
// synchronous send on each server, with the store, and the queued batch.
// sr and qr may be nil (not measured).
func NewCostReport(memoryMB int, rep *Report, sr *StoreReport, qr *QueuedReport) *CostReport {
	c := &CostReport{MemoryMB: memoryMB}
	for _, srv := range rep.Servers {
		if res, ok := rep.findOn(srv.Name, Warm, Gmailsend); ok {
			c.Rows = append(c.Rows, warmCost("synchronous, stateless ("+srv.Name+")", res,
				fmt.Sprintf("%d warm invocations; inline password, so no Secrets Manager call", len(res.Latencies))))
		}
	}
	if sr != nil {
		row := warmCost("synchronous, with the store", sr.Stored, "")
		n := float64(max(sr.Stored.Messages, 1))
		wru, rru := dynamoUnits(sr.Requests)
		row.WRU, row.RRU = wru/n, rru/n
		row.Basis = fmt.Sprintf("%d warm invocations, development server; DynamoDB requests counted", sr.Stored.Messages)
		c.Rows = append(c.Rows, row)
	}
	if qr != nil && qr.Batch > 0 {
		n := float64(qr.Batch)
		wru, rru := dynamoUnits(qr.Requests["dynamodb"])
		sqs := 0.0
		for _, v := range qr.Requests["sqs"] {
			sqs += float64(v)
		}
		// The event source mapping's own requests are not the function's:
		// one ReceiveMessage and one DeleteMessageBatch per batch it hands
		// over (its idle polling is a fixed cost, left out).
		sqs += 2 * float64(qr.Invocations)
		secrets := 0.0
		for _, v := range qr.Requests["secrets_manager"] {
			secrets += float64(v)
		}
		c.Rows = append(c.Rows, sendCost{Name: fmt.Sprintf("queued, a batch of %d", qr.Batch),
			Invocations: float64(1+qr.Invocations) / n, BilledMs: qr.BilledMs / n,
			WRU: wru / n, RRU: rru / n, SQS: sqs / n, Secrets: secrets / n,
			Basis: fmt.Sprintf("POST /messages/batch and %d consumer invocations; DynamoDB, SQS and Secrets Manager requests counted, "+
				"plus the event source mapping's receive and delete per batch", qr.Invocations)})
	}
	return c
}

// WriteMarkdown writes the cost table.
func (c *CostReport) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n## Cost of 1,000 sends\n\n")
	fmt.Fprintf(w, "At the template's `MemorySize` of %d MB, from this run's billed durations (each invocation rounded up to 1 ms) and counted requests. "+
		"DynamoDB units assume what the function writes is under 1 KB and what it reads under 4 KB. Prices: %s.\n\n", c.MemoryMB, PricesSource)
	fmt.Fprintf(w, "| send | Lambda requests | billed ms | Lambda $ | DynamoDB WRU / RRU | DynamoDB $ | SQS requests | SQS $ | Secrets Manager $ | **total $** |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range c.Rows {
		lambda, dynamo, sqs, secrets := r.per1000(c.MemoryMB)
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.5f | %.0f / %.0f | %.5f | %.0f | %.5f | %.5f | **%.5f** |\n",
			r.Name, 1000*r.Invocations, 1000*r.BilledMs, lambda, 1000*r.WRU, 1000*r.RRU, dynamo, 1000*r.SQS, sqs, secrets,
			lambda+dynamo+sqs+secrets)
	}
	fmt.Fprintf(w, "| Amazon SES | | | | | | | | | **%.2f** |\n", 1000*Prices.SESMessage)
	fmt.Fprintf(w, "| Resend (Pro, used in full / beyond) | | | | | | | | | **%.2f / %.2f** |\n", 1000*Prices.ResendPro, 1000*Prices.ResendOverage)
	var basis []string
	for _, r := range c.Rows {
		basis = append(basis, fmt.Sprintf("%s: %s", r.Name, r.Basis))
	}
	fmt.Fprintf(w, "\nMeasured: %s. Gmail's own sending is not billed per message.\n",
		strings.Join(basis, "; "))
}
