package putmetric

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var benchNow = now

// benchBody is a realistic body of n datums: a few metric names over 50 hosts in 4 regions,
// one to four dimensions, mostly single values with Unix-seconds timestamps, some RFC 3339
// timestamps, value arrays and statistic sets.
func benchBody(n int) string {
	names := []string{"Latency", "Requests", "Errors", "CPUUtilization", "MemoryUsed", "QueueDepth"}
	units := []string{"Milliseconds", "Count", "Count", "Percent", "Bytes", "None"}
	var b strings.Builder
	b.WriteString(`{"environment":"production","namespace":"Shop/Checkout","metric_data":[`)
	ts := benchNow.Add(-time.Minute).Unix()
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		m := i % len(names)
		fmt.Fprintf(&b, `{"name":%q,"unit":%q,"dimensions":{"Host":"web-%02d.eu-west-1.internal"`, names[m], units[m], i%50)
		if i%3 != 0 {
			fmt.Fprintf(&b, `,"Region":"%s"`, []string{"eu-west-1", "eu-central-1", "us-east-1", "ap-south-1"}[i%4])
		}
		if i%5 == 0 {
			fmt.Fprintf(&b, `,"AvailabilityZone":"az-%d","Service":"checkout-api"`, i%3)
		}
		b.WriteString(`},`)
		switch {
		case i%20 == 7:
			fmt.Fprintf(&b, `"values":[12.5,13,14.25,90.125],"counts":[10,4,2,1],"timestamp":"%s"`,
				benchNow.Add(-time.Duration(i)*time.Second).Format(time.RFC3339Nano))
		case i%20 == 13:
			fmt.Fprintf(&b, `"statistic_values":{"sample_count":120,"sum":3150.5,"minimum":0.5,"maximum":410},"timestamp":%d,"storage_resolution":1`, ts)
		default:
			fmt.Fprintf(&b, `"value":%d.%d,"timestamp":%d`, i*37%1000, i%100, ts)
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.String()
}

func BenchmarkDecode1000(b *testing.B) {
	body := []byte(benchBody(1000))
	var dst Request
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if errs, err := Decode(body, benchNow, Limits{}, &dst); err != nil || errs != nil {
			b.Fatal(errs, err)
		}
	}
	perDatum := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1000
	b.ReportMetric(perDatum, "ns/datum")
	b.ReportMetric(1e9/perDatum, "datums/s")
}

// BenchmarkDecodeNDJSON1000 is the same body, one datum per line.
func BenchmarkDecodeNDJSON1000(b *testing.B) {
	s := benchBody(1000)
	s = strings.Replace(s, `,"metric_data":[`, "}\n", 1)
	s = strings.ReplaceAll(strings.TrimSuffix(s, "]}"), `},{"name"`, "}\n{\"name\"")
	body := []byte(s)
	var dst Request
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if errs, err := DecodeNDJSON(body, benchNow, Limits{}, &dst); err != nil || errs != nil {
			b.Fatal(errs, err)
		}
	}
	perDatum := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1000
	b.ReportMetric(perDatum, "ns/datum")
	b.ReportMetric(1e9/perDatum, "datums/s")
}

// BenchmarkDecode1000Cold decodes into a fresh Request every time: the cost of a pool miss.
func BenchmarkDecode1000Cold(b *testing.B) {
	body := []byte(benchBody(1000))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var dst Request
		if errs, err := Decode(body, benchNow, Limits{}, &dst); err != nil || errs != nil {
			b.Fatal(errs, err)
		}
	}
	perDatum := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1000
	b.ReportMetric(perDatum, "ns/datum")
}
