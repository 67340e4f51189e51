package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/currency"

	"counterlens/ingest/policy"
	"counterlens/models"
)

// Size limits of a brand's policy.
const (
	maxBrandName    = 200
	maxPolicyList   = 500
	maxPolicyEntry  = 200
	maxPriceFloors  = 100
	maxDomainLength = 253
)

// normalizePolicy validates a brand's name and policy and puts them in
// canonical form: trimmed name, upper-case ISO 4217 currencies, bare
// lower-case domains, empty lists rather than null.
func normalizePolicy(b *models.Brand) error {
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" || len(b.Name) > maxBrandName {
		return badData(fmt.Sprintf("name is required (at most %d characters)", maxBrandName), nil)
	}
	for _, l := range []struct {
		name string
		list *[]string
	}{{"aliases", &b.Aliases}, {"authorized_sellers", &b.AuthorizedSellers}, {"official_domains", &b.OfficialDomains}} {
		*l.list = orEmpty(*l.list)
		if len(*l.list) > maxPolicyList {
			return badData(fmt.Sprintf("%s may hold at most %d entries", l.name, maxPolicyList), nil)
		}
		for i, v := range *l.list {
			v = strings.TrimSpace(v)
			if v == "" || len(v) > maxPolicyEntry {
				return badData(fmt.Sprintf("%s entries must be non-empty and at most %d characters", l.name, maxPolicyEntry), nil)
			}
			(*l.list)[i] = v
		}
	}
	for i, d := range b.OfficialDomains {
		host := policy.Domain(d)
		if host == "" || len(host) > maxDomainLength || !strings.Contains(host, ".") {
			return badData(fmt.Sprintf("official_domains entry %q is not a domain name such as brand.com", d), nil)
		}
		b.OfficialDomains[i] = host
	}
	if m := b.MinPrice; m != nil {
		cur, err := checkMoney("min_price", m.Amount, m.Currency)
		if err != nil {
			return err
		}
		m.Currency = cur
	}
	if len(b.MinPrices) > maxPriceFloors {
		return badData(fmt.Sprintf("min_prices may hold at most %d floors", maxPriceFloors), nil)
	}
	seen := map[[2]string]bool{}
	for i := range b.MinPrices {
		f := &b.MinPrices[i]
		cur, err := checkMoney("min_prices", f.Amount, f.Currency)
		if err != nil {
			return err
		}
		f.Currency, f.ProductType = cur, strings.ToLower(strings.TrimSpace(f.ProductType))
		if f.ProductType != "" && !policy.KnownProductType(f.ProductType) {
			return badData(fmt.Sprintf("min_prices product_type %q is unknown; known types: %s", f.ProductType, strings.Join(policy.ProductTypes(), ", ")), nil)
		}
		k := [2]string{f.Currency, f.ProductType}
		if seen[k] {
			return badData(fmt.Sprintf("min_prices has two floors for %s %s", f.Currency, cmp.Or(f.ProductType, "(any product)")), nil)
		}
		seen[k] = true
	}
	if th := b.Thresholds; th != nil {
		for name, v := range map[string]float64{"min_score": th.MinScore, "logo_confidence": th.LogoConfidence} {
			if math.IsNaN(v) || v < 0 || v > 1 {
				return badData("thresholds."+name+" must be a number from 0 to 1", nil)
			}
		}
	}
	return nil
}

// checkMoney checks a positive, finite amount in an ISO 4217 currency and
// returns the currency code in upper case.
func checkMoney(field string, amount float64, cur string) (string, error) {
	if amount <= 0 || math.IsInf(amount, 0) || math.IsNaN(amount) {
		return "", badData(field+" amounts must be positive numbers", nil)
	}
	unit, err := currency.ParseISO(cur)
	if err != nil || len(cur) != 3 {
		return "", badData(fmt.Sprintf("%s currency %q is not an ISO 4217 code such as EUR or USD", field, cur), err)
	}
	return unit.String(), nil
}

// patchBrand handles PATCH /v1/brands/{id} (admin, or a rights holder of the
// brand): the fields sent replace the brand's, the others stay; null clears
// min_price and thresholds. Analyses use the new policy from the answer on.
func (s *Server) patchBrand(c *gin.Context) {
	b, ok := s.brandInScope(c)
	if !ok {
		return
	}
	var patch map[string]json.RawMessage
	if !s.bindJSON(c, &patch) {
		return
	}
	// Decoded into a fresh request, so a field sent replaces the old value
	// whole (json would otherwise merge into existing structs and slices).
	var req brandRequest
	fields := map[string]struct {
		dst   any
		apply func()
	}{
		"name":               {&req.Name, func() { b.Name = req.Name }},
		"aliases":            {&req.Aliases, func() { b.Aliases = req.Aliases }},
		"min_price":          {&req.MinPrice, func() { b.MinPrice = req.MinPrice }},
		"min_prices":         {&req.MinPrices, func() { b.MinPrices = req.MinPrices }},
		"thresholds":         {&req.Thresholds, func() { b.Thresholds = req.Thresholds }},
		"authorized_sellers": {&req.AuthorizedSellers, func() { b.AuthorizedSellers = req.AuthorizedSellers }},
		"official_domains":   {&req.OfficialDomains, func() { b.OfficialDomains = req.OfficialDomains }},
	}
	var changed []string
	for name, f := range fields {
		raw, ok := patch[name]
		if !ok {
			continue
		}
		if string(raw) == "null" && name == "name" {
			fail(c, badData("name cannot be null", nil))
			return
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			fail(c, badData("field "+name+" has the wrong type", err))
			return
		}
		f.apply()
		changed = append(changed, name)
	}
	if len(changed) == 0 {
		fail(c, badData("nothing to change: send one or more of name, aliases, min_price, min_prices, thresholds, authorized_sellers, official_domains", nil))
		return
	}
	if err := normalizePolicy(&b); err != nil {
		fail(c, err)
		return
	}
	if slices.Contains(changed, "name") {
		if err := s.nameFree(c, b); err != nil {
			fail(c, err)
			return
		}
	}
	if err := s.Brands.UpdateBrand(c.Request.Context(), b); err != nil {
		fail(c, err)
		return
	}
	slices.Sort(changed)
	auditDetail(c, "fields", strings.Join(changed, ","))
	c.JSON(http.StatusOK, b)
}

// errNameTaken is a brand name another brand has already.
var errNameTaken = errors.New("brand name taken")

// nameFree fails with 409 when another brand has b's name.
func (s *Server) nameFree(c *gin.Context, b models.Brand) error {
	all, err := s.Brands.Brands(c.Request.Context())
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != b.ID && strings.EqualFold(o.Name, b.Name) {
			return &Error{Status: http.StatusConflict, Type: typeConflict, Message: "another brand has this name", Cause: errNameTaken}
		}
	}
	return nil
}
