package pattern

import "testing"

func TestCandStats(t *testing.T) {
	m, events := benchWorkload(t, 10000)
	ix := m.index()
	cands, matched := 0, 0
	for _, e := range events {
		s := ix.pool.Get().(*scratch)
		s.reset(e)
		s.collect()
		cands += len(s.cands)
		ids, _ := m.Match(e, nil)
		matched += len(ids)
		ix.pool.Put(s)
	}
	n := len(events)
	pres, partners := 0, 0
	for _, p := range ix.paths {
		pres += len(p.presence)
		partners += len(p.partners)
	}
	t.Logf("cands/event %.1f matched/event %.1f always %d presence %d branches %d partners %d paths %d", float64(cands)/float64(n), float64(matched)/float64(n), len(ix.always), pres, len(ix.branches), partners, len(ix.paths))
}
