package pattern

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// A workload resembling EventBridge traffic (spec B4 shapes): AWS service events plus events
// of many custom applications, and rules that, like real ones, each name a source or
// detail-type and add one to three conditions of varied operators on fields of that event.

var (
	benchRegions  = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"}
	benchEC2      = []string{"pending", "running", "stopping", "stopped", "shutting-down", "terminated"}
	benchDeploy   = []string{"START", "SUCCESS", "FAILURE", "STOP", "READY"}
	benchECSState = []string{"PROVISIONING", "PENDING", "RUNNING", "STOPPED"}
	benchHealth   = []string{"issue", "accountNotification", "scheduledChange", "investigation"}
	benchServices = []string{"EC2", "RDS", "LAMBDA", "S3", "ECS", "ELASTICLOADBALANCING", "DYNAMODB"}
	benchCustTier = []string{"free", "basic", "pro", "enterprise"}
	benchCurrency = []string{"USD", "EUR", "GBP", "JPY", "AUD"}
	benchStatus   = []string{"created", "paid", "shipped", "delivered", "cancelled", "refunded", "failed"}
	benchVerbs    = []string{"Created", "Updated", "Deleted", "Failed", "Completed"}
	benchNouns    = []string{"Order", "Payment", "Shipment", "Invoice", "User", "Session", "Job"}
	benchAWS      = []string{"aws.ec2", "aws.autoscaling", "aws.codedeploy", "aws.ecs", "aws.health", "aws.signin", "aws.s3"}
)

// benchGen generates events and rules. Its pools of sources, accounts, instances,
// applications, clusters and customers grow with the rule count (scale 1 is sized for
// 10,000 rules), modelling more tenants rather than more rules on the same resources, so
// that the number of matches per event stays comparable across rule counts.
type benchGen struct {
	r                                  *rand.Rand
	sources, accounts, instances, apps int
	clusters, groups, customers        int
}

func newBenchGen(seed uint64) *benchGen { return newScaledBenchGen(seed, 1) }

func newScaledBenchGen(seed uint64, scale int) *benchGen {
	return &benchGen{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), sources: 500 * scale, accounts: 50 * scale,
		instances: 2000 * scale, apps: 60 * scale, clusters: 30 * scale, groups: 40 * scale, customers: 5000 * scale}
}

func (g *benchGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *benchGen) account() string {
	return fmt.Sprintf("%012d", 100000000000+g.r.IntN(g.accounts)*7919)
}
func (g *benchGen) instance() string {
	return fmt.Sprintf("i-%017x", 0xabc0000000000+g.r.IntN(g.instances)*104729)
}
func (g *benchGen) hexID(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}
func (g *benchGen) uuid() string {
	return g.hexID(8) + "-" + g.hexID(4) + "-" + g.hexID(4) + "-" + g.hexID(4) + "-" + g.hexID(12)
}
func (g *benchGen) custom() string {
	return fmt.Sprintf("com.acme.svc%03d", g.r.IntN(g.sources))
}
func (g *benchGen) ip() string {
	return fmt.Sprintf("10.%d.%d.%d", g.r.IntN(4), g.r.IntN(256), g.r.IntN(256))
}
func (g *benchGen) timeStr() string {
	return fmt.Sprintf("2024-%02d-%02dT%02d:%02d:%02dZ", 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
}

// kind picks the event type: half AWS services, half custom applications.
func (g *benchGen) kind() int {
	if g.r.IntN(2) == 0 {
		return g.r.IntN(len(benchAWS))
	}
	return len(benchAWS)
}

// event returns one JSON event of about 1 KB.
func (g *benchGen) event() []byte {
	k := g.kind()
	region, account := g.pick(benchRegions), g.account()
	var source, dtype, detail string
	var resources []string
	switch k {
	case 0:
		source, dtype = "aws.ec2", "EC2 Instance State-change Notification"
		inst := g.instance()
		resources = []string{"arn:aws:ec2:" + region + ":" + account + ":instance/" + inst}
		detail = fmt.Sprintf(`{"instance-id":%q,"state":%q}`, inst, g.pick(benchEC2))
	case 1:
		source = "aws.autoscaling"
		dtype = g.pick([]string{"EC2 Instance Terminate Successful", "EC2 Instance Launch Successful", "EC2 Instance Launch Unsuccessful"})
		inst := g.instance()
		resources = []string{"arn:aws:autoscaling:" + region + ":" + account + ":autoScalingGroup:" + g.uuid(), "arn:aws:ec2:" + region + ":" + account + ":instance/" + inst}
		detail = fmt.Sprintf(`{"StatusCode":%q,"Description":"Terminating EC2 instance: %s","AutoScalingGroupName":"asg-%d","ActivityId":%q,"Details":{"Availability Zone":"%sb","Subnet ID":"subnet-%s"},"RequestId":%q,"StatusMessage":"","EndTime":%q,"EC2InstanceId":%q,"StartTime":%q,"Cause":"At %s an instance was taken out of service in response to a health check."}`,
			g.pick([]string{"InProgress", "Successful", "Failed"}), inst, g.r.IntN(g.groups), g.uuid(), region, g.hexID(8), g.uuid(), g.timeStr(), inst, g.timeStr(), g.timeStr())
	case 2:
		source, dtype = "aws.codedeploy", "CodeDeploy Deployment State-change Notification"
		app := fmt.Sprintf("app%d", g.r.IntN(g.apps))
		resources = []string{"arn:aws:codedeploy:" + region + ":" + account + ":application:" + app, "arn:aws:codedeploy:" + region + ":" + account + ":deploymentgroup:" + app + "/dg" + strconv.Itoa(g.r.IntN(5))}
		detail = fmt.Sprintf(`{"instanceGroupId":%q,"region":%q,"application":%q,"deploymentId":"d-%s","state":%q,"deploymentGroup":"dg%d"}`,
			g.uuid(), region, app, strings.ToUpper(g.hexID(9)), g.pick(benchDeploy), g.r.IntN(5))
	case 3:
		source, dtype = "aws.ecs", "ECS Task State Change"
		cluster := fmt.Sprintf("cluster%d", g.r.IntN(g.clusters))
		task := "arn:aws:ecs:" + region + ":" + account + ":task/" + g.uuid()
		resources = []string{task}
		detail = fmt.Sprintf(`{"clusterArn":"arn:aws:ecs:%s:%s:cluster/%s","containers":[{"containerArn":"arn:aws:ecs:%s:%s:container/%s","exitCode":%d,"lastStatus":%q,"name":"app","taskArn":%q},{"containerArn":"arn:aws:ecs:%s:%s:container/%s","exitCode":%d,"lastStatus":%q,"name":"xray","taskArn":%q}],"createdAt":%q,"desiredStatus":%q,"group":"service:svc%d","lastStatus":%q,"overrides":{"containerOverrides":[{"name":"xray"}]},"startedBy":"ecs-svc/%d","taskArn":%q,"taskDefinitionArn":"arn:aws:ecs:%s:%s:task-definition/svc%d:%d","version":%d}`,
			region, account, cluster, region, account, g.uuid(), g.r.IntN(3), g.pick(benchECSState), task, region, account, g.uuid(), g.r.IntN(3), g.pick(benchECSState), task,
			g.timeStr(), g.pick(benchECSState), g.r.IntN(40), g.pick(benchECSState), g.r.Int64(), task, region, account, g.r.IntN(40), 1+g.r.IntN(9), 1+g.r.IntN(12))
	case 4:
		source, dtype = "aws.health", g.pick([]string{"AWS Health Event", "AWS Health Abuse Event"})
		svc := g.pick(benchServices)
		code := "AWS_" + svc + "_" + g.pick([]string{"MAINTENANCE_SCHEDULED", "OPERATIONAL_ISSUE", "API_ISSUE", "PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED"})
		resources = []string{g.instance()}
		detail = fmt.Sprintf(`{"eventArn":"arn:aws:health:%s::event/%s/%s/%s_%d","service":%q,"eventTypeCode":%q,"eventTypeCategory":%q,"eventScopeCode":%q,"communicationId":%q,"startTime":"Tue, 29 Aug 2023 03:30:00 GMT","lastUpdatedTime":"Tue, 29 Aug 2023 03:13:27 GMT","statusCode":%q,"eventRegion":%q,"eventDescription":[{"language":"en_US","latestDescription":"A maintenance event is scheduled for one of your resources. During the maintenance window the instance will be rebooted; to avoid the interruption, stop and start the instance before the scheduled time, which migrates it to new hardware."}],"affectedEntities":[{"entityValue":"i-0abc","status":"PENDING"}]}`,
			region, svc, code, code, g.r.Int64(), svc, code, g.pick(benchHealth), g.pick([]string{"ACCOUNT_SPECIFIC", "PUBLIC"}), g.hexID(32), g.pick([]string{"open", "closed", "upcoming"}), region)
	case 5, 6:
		source = benchAWS[k]
		dtype = "AWS API Call via CloudTrail"
		errCode := ""
		if g.r.IntN(5) == 0 {
			errCode = fmt.Sprintf(`"errorCode":%q,"errorMessage":"User is not authorized to perform this operation",`, g.pick([]string{"AccessDenied", "ThrottlingException", "ValidationException"}))
		}
		detail = fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":%q,"principalId":"AIDA%s","arn":"arn:aws:iam::%s:user/user%d","accountId":%q},"eventTime":%q,"eventSource":"%s.amazonaws.com","eventName":%q,"awsRegion":%q,"sourceIPAddress":%q,"userAgent":"aws-cli/2.13.0 Python/3.11.4 Linux/5.10.184 exe/x86_64.amzn.2 prompt/off command/s3api",%s"requestParameters":{"bucketName":"bucket-%d","key":"logs/2024/app.log","Host":"bucket.s3.amazonaws.com"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"Bx3+4fA8Ja9QYkU0u7Gx2F0kPZt3nVJQ"},"requestID":%q,"eventID":%q,"readOnly":%v,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":%q,"eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"s3.amazonaws.com"}}`,
			g.pick([]string{"IAMUser", "AssumedRole", "Root"}), strings.ToUpper(g.hexID(16)), account, g.r.IntN(300), account, g.timeStr(), strings.TrimPrefix(source, "aws."),
			g.pick([]string{"ConsoleLogin", "PutObject", "DeleteObject", "GetObject", "CreateBucket", "SwitchRole"}), region, g.ip(), errCode, g.r.IntN(500), g.uuid(), g.uuid(), g.r.IntN(2) == 0, account)
	default:
		source = g.custom()
		dtype = g.pick(benchNouns) + " " + g.pick(benchVerbs)
		detail = fmt.Sprintf(`{"orderId":"ord-%d","amount":%d.%02d,"currency":%q,"status":%q,"customer":{"id":"cust-%d","tier":%q,"country":%q,"email":"user%d@example.com"},"items":[{"sku":"SKU-%d","qty":%d,"price":%d.99},{"sku":"SKU-%d","qty":%d,"price":%d.49}],"shipping":{"method":%q,"address":{"street":"%d Main Street","city":"Springfield","postalCode":"%05d","country":%q},"carrier":"ACME Logistics","trackingNumber":"1Z%s"},"channel":"web","sourceIp":%q,"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","correlationId":%q,"createdAt":%q,"note":"Generated for benchmarking; fields mimic a typical order event of a web shop."}`,
			g.r.IntN(1000000), g.r.IntN(2000), g.r.IntN(100), g.pick(benchCurrency), g.pick(benchStatus), g.r.IntN(g.customers), g.pick(benchCustTier), g.pick([]string{"US", "DE", "FR", "GB", "JP", "BR"}), g.r.IntN(9999),
			g.r.IntN(500), 1+g.r.IntN(5), g.r.IntN(300), g.r.IntN(500), 1+g.r.IntN(5), g.r.IntN(300),
			g.pick([]string{"standard", "express", "pickup"}), 1+g.r.IntN(999), g.r.IntN(99999), g.pick([]string{"US", "DE", "FR", "GB", "JP", "BR"}), strings.ToUpper(g.hexID(16)), g.ip(), g.uuid(), g.timeStr())
		resources = []string{"arn:acme:" + strings.TrimPrefix(source, "com.acme.") + ":" + region + ":order/" + g.hexID(12)}
	}
	res, _ := jsonStrings(resources)
	return []byte(fmt.Sprintf(`{"version":"0","id":%q,"detail-type":%q,"source":%q,"account":%q,"time":%q,"region":%q,"resources":%s,"detail":%s}`,
		g.uuid(), dtype, source, account, g.timeStr(), region, res, detail))
}

func jsonStrings(xs []string) (string, error) {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(parts, ",") + "]", nil
}

// rule returns one pattern: a source (and often a detail-type) condition, the account of
// the rule's owner for AWS events (rules of one tenant see that tenant's events, as on
// EventBridge where buses belong to accounts), often one condition naming a specific
// resource or customer, and up to two filters.
func (g *benchGen) rule() string {
	k := len(benchAWS)
	if g.r.IntN(10) < 3 {
		k = g.r.IntN(len(benchAWS))
	}
	var conds []string
	source := g.custom()
	if k < len(benchAWS) {
		source = benchAWS[k]
	}
	switch g.r.IntN(10) {
	case 0, 1, 2, 3:
		conds = append(conds, fmt.Sprintf(`"source":[%q]`, source))
	case 4:
		conds = append(conds, fmt.Sprintf(`"source":[%q,%q]`, source, g.custom()))
	default:
		if k == len(benchAWS) {
			conds = append(conds, fmt.Sprintf(`"source":[%q],"detail-type":[%q]`, source, g.pick(benchNouns)+" "+g.pick(benchVerbs)))
		} else {
			conds = append(conds, fmt.Sprintf(`"source":[%q],"detail-type":[{"prefix":%q}]`, source, map[int]string{0: "EC2 Instance State", 1: "EC2 Instance", 2: "CodeDeploy", 3: "ECS Task", 4: "AWS Health", 5: "AWS API Call", 6: "AWS API Call"}[k]))
		}
	}
	var extra []string
	if k < len(benchAWS) {
		extra = append(extra, fmt.Sprintf(`"account":[%q]`, g.account()))
	}
	if g.r.IntN(10) < 6 {
		extra = append(extra, g.specific(k))
	}
	for n := g.r.IntN(3); n > 0; n-- {
		extra = append(extra, g.filter(k))
	}
	var detail []string
	for _, c := range extra {
		if strings.HasPrefix(c, `"detail":`) {
			detail = append(detail, strings.TrimSuffix(strings.TrimPrefix(c, `"detail":{`), "}"))
		} else {
			conds = append(conds, c)
		}
	}
	if len(detail) > 0 {
		conds = append(conds, `"detail":{`+strings.Join(dedupeMembers(detail), ",")+`}`)
	}
	return "{" + strings.Join(dedupeMembers(conds), ",") + "}"
}

// dedupeMembers drops members whose key repeats (keeping patterns free of duplicate keys).
func dedupeMembers(ms []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		key, _, _ := strings.Cut(m, ":")
		if !seen[key] {
			seen[key] = true
			out = append(out, m)
		}
	}
	return out
}

// specific returns a condition naming one resource, account or customer of an event of
// kind k.
func (g *benchGen) specific(k int) string {
	switch k {
	case 0:
		if g.r.IntN(2) == 0 {
			return fmt.Sprintf(`"detail":{"instance-id":[%q]}`, g.instance())
		}
		return fmt.Sprintf(`"resources":[{"wildcard":"arn:aws:ec2:*:instance/%s"}]`, g.instance())
	case 1:
		return fmt.Sprintf(`"detail":{"AutoScalingGroupName":["asg-%d"]}`, g.r.IntN(g.groups))
	case 2:
		return fmt.Sprintf(`"detail":{"application":["app%d"]}`, g.r.IntN(g.apps))
	case 3:
		return fmt.Sprintf(`"detail":{"clusterArn":[{"suffix":"/cluster%d"}]}`, g.r.IntN(g.clusters))
	case 4:
		return fmt.Sprintf(`"detail":{"eventArn":[{"suffix":"_%d"}]}`, g.r.Int64())
	case 5, 6:
		return fmt.Sprintf(`"detail":{"userIdentity":{"arn":[{"suffix":":user/user%d"}]}}`, g.r.IntN(300))
	}
	return fmt.Sprintf(`"detail":{"customer":{"id":["cust-%d","cust-%d"]}}`, g.r.IntN(g.customers), g.r.IntN(g.customers))
}

// filter returns a condition on a state, number or other broad property of an event of
// kind k.
func (g *benchGen) filter(k int) string {
	op := g.r.IntN(12)
	switch {
	case op < 1:
		return fmt.Sprintf(`"region":[%q,%q]`, g.pick(benchRegions), g.pick(benchRegions))
	case op < 2:
		return fmt.Sprintf(`"time":[{"wildcard":"2024-%02d-*"}]`, 1+g.r.IntN(12))
	}
	switch k {
	case 0:
		if op%2 == 0 {
			return fmt.Sprintf(`"detail":{"state":[{"anything-but":[%q,%q]}]}`, g.pick(benchEC2), g.pick(benchEC2))
		}
		return fmt.Sprintf(`"detail":{"state":[%q]}`, g.pick(benchEC2))
	case 1:
		if op%2 == 0 {
			return fmt.Sprintf(`"detail":{"Details":{"Availability Zone":[{"suffix":%q}]}}`, []string{"a", "b", "c"}[g.r.IntN(3)])
		}
		return fmt.Sprintf(`"detail":{"StatusCode":[{"equals-ignore-case":%q}]}`, g.pick([]string{"inprogress", "successful", "failed"}))
	case 2:
		return fmt.Sprintf(`"detail":{"state":[%q,%q]}`, g.pick(benchDeploy), g.pick(benchDeploy))
	case 3:
		switch op % 3 {
		case 0:
			return `"detail":{"containers":{"exitCode":[{"numeric":[">",0]}],"name":["app"]}}`
		case 1:
			return fmt.Sprintf(`"detail":{"lastStatus":[%q]}`, g.pick(benchECSState))
		}
		return fmt.Sprintf(`"detail":{"taskDefinitionArn":[{"suffix":":%d"}]}`, 1+g.r.IntN(9))
	case 4:
		switch op % 3 {
		case 0:
			return fmt.Sprintf(`"detail":{"eventTypeCode":[{"prefix":"AWS_%s_"}]}`, g.pick(benchServices))
		case 1:
			return fmt.Sprintf(`"detail":{"service":[%q]}`, g.pick(benchServices))
		}
		return fmt.Sprintf(`"detail":{"eventTypeCategory":[%q]}`, g.pick(benchHealth))
	case 5, 6:
		switch op % 4 {
		case 0:
			return `"detail":{"errorCode":[{"exists":true}]}`
		case 1:
			return fmt.Sprintf(`"detail":{"eventName":[%q]}`, g.pick([]string{"ConsoleLogin", "PutObject", "DeleteObject", "GetObject", "CreateBucket", "SwitchRole"}))
		case 2:
			return fmt.Sprintf(`"detail":{"sourceIPAddress":[{"cidr":"10.%d.0.0/16"}]}`, g.r.IntN(4))
		}
		return fmt.Sprintf(`"detail":{"userIdentity":{"type":[{"anything-but":%q}]}}`, g.pick([]string{"IAMUser", "AssumedRole", "Root"}))
	}
	switch op % 6 {
	case 0:
		return fmt.Sprintf(`"detail":{"amount":[{"numeric":[">=",%d,"<",%d]}]}`, g.r.IntN(10)*100, 1000+g.r.IntN(10)*100)
	case 1:
		return fmt.Sprintf(`"detail":{"status":[%q]}`, g.pick(benchStatus))
	case 2:
		return fmt.Sprintf(`"detail":{"customer":{"tier":[%q],"country":[{"anything-but":["US","DE"]}]}}`, g.pick(benchCustTier))
	case 3:
		return fmt.Sprintf(`"detail":{"currency":[{"anything-but":%q}]}`, g.pick(benchCurrency))
	case 4:
		return fmt.Sprintf(`"detail":{"$or":[{"status":[%q]},{"amount":[{"numeric":[">",%d]}]}]}`, g.pick(benchStatus), 1500+g.r.IntN(500))
	}
	return fmt.Sprintf(`"detail":{"items":{"sku":[{"prefix":"SKU-%d"}],"qty":[{"numeric":[">=",2]}]}}`, g.r.IntN(50))
}
