# Reference values from R's survey package for tests/test_survey_models_vs_r.py: Korn-Graubard intervals,
# ratios, domain differences, design-based GLMs, calibration (postStratify, rake, calibrate) and
# replicate-weight designs, on the designs tests/r/make_designs.py writes.
# Run from the project root:  Rscript tests/r/models.R   (Debian: apt-get install r-base-core r-cran-survey)
# Writes tests/r/reference_models.csv: one row per value (analysis, what, domain, level, term, estimate,
# se, ci_low, ci_high, df, p).
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

fmt <- function(x) if (is.numeric(x)) sprintf("%.17g", x) else x
rows <- list()
put <- function(analysis, what, domain = "total", level = "total", term = "", estimate = NA, se = NA,
                ci_low = NA, ci_high = NA, df = NA, p = NA) {
  rows[[length(rows) + 1]] <<- data.frame(analysis = analysis, what = what, domain = domain, level = level,
                                          term = term, estimate = as.numeric(estimate), se = as.numeric(se),
                                          ci_low = as.numeric(ci_low), ci_high = as.numeric(ci_high), df = as.numeric(df),
                                          p = as.numeric(p))
}

cal <- read.csv("tests/r/design_calibration.csv", stringsAsFactors = FALSE)
pop <- read.csv("tests/r/population_calibration.csv", stringsAsFactors = FALSE)
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = cal, nest = TRUE)

# --- Korn-Graubard intervals, whole sample and domains (the domain's subset, missing values included)
for (by in c("total", "sex", "area")) {
  levels <- if (by == "total") "total" else sort(unique(cal[[by]]))
  for (lev in levels) {
    sub <- if (by == "total") des else subset(des, cal[[by]] == lev)
    ci <- svyciprop(~y, sub, method = "beta", na.rm = TRUE)
    put("beta", "proportion", by, lev, estimate = as.numeric(ci), se = sqrt(as.numeric(attr(ci, "var"))), ci_low = attr(ci, "ci")[1],
        ci_high = attr(ci, "ci")[2], df = degf(sub))
  }
}

# --- ratio of totals (svyratio), whole sample and by sex; CI t-based on the domain's df
for (by in c("total", "sex")) {
  levels <- if (by == "total") "total" else sort(unique(cal[[by]]))
  for (lev in levels) {
    sub <- if (by == "total") des else subset(des, cal[[by]] == lev)
    r <- svyratio(~x, ~z, sub, na.rm = TRUE)
    ci <- confint(r, df = degf(sub))
    put("ratio", "x/z", by, lev, estimate = coef(r), se = SE(r), ci_low = ci[1], ci_high = ci[2], df = degf(sub))
  }
}

# --- differences between two domains (svyby with covmat, svycontrast); df of the two domains' rows
for (spec in list(list(var = "x", by = "area", a = "south", b = "north", kind = "mean"),
                  list(var = "y", by = "sex", a = "female", b = "male", kind = "proportion"),
                  list(var = "x", by = "area", a = "centre", b = "south", kind = "total"))) {
  f <- as.formula(paste0("~", spec$var))
  fun <- if (spec$kind == "total") svytotal else svymean
  # (svyby's covmat fails with na.rm; the subset without missing values is the same design for this)
  observed <- subset(des, !is.na(cal[[spec$var]]))
  b <- svyby(f, as.formula(paste0("~", spec$by)), observed, fun, covmat = TRUE)
  w <- setNames(rep(0, nrow(b)), rownames(b))
  w[spec$a] <- 1
  w[spec$b] <- -1
  ctr <- svycontrast(b, w)
  d <- degf(subset(des, cal[[spec$by]] %in% c(spec$a, spec$b)))
  est <- coef(ctr)
  se <- SE(ctr)
  q <- qt(0.975, d)
  put("difference", paste(spec$kind, spec$var, spec$by), spec$by, paste(spec$a, "-", spec$b),
      estimate = est, se = se, ci_low = est - q * se, ci_high = est + q * se, df = d,
      p = 2 * pt(-abs(est / se), d))
}

# --- design-based GLMs: logistic (quasibinomial) and linear
fits <- list(logistic = svyglm(y ~ sex + age_group + x, des, family = quasibinomial()),
             linear = svyglm(x ~ sex + age_group + area, des))
for (name in names(fits)) {
  m <- fits[[name]]
  ci <- confint(m)
  tab <- summary(m)$coefficients
  for (term in names(coef(m))) {
    put("glm", name, term = term, estimate = coef(m)[term], se = sqrt(diag(vcov(m)))[term],
        ci_low = ci[term, 1], ci_high = ci[term, 2], df = m$df.residual, p = tab[term, 4])
  }
}

# --- calibration: post-stratification, raking, linear and raking (GREG) calibration
margin <- function(v) { m <- aggregate(pop$N, pop[v], sum); names(m) <- c(v, "Freq"); m }
cal_designs <- list(
  poststratify = postStratify(des, ~area + sex + age_group,
                              data.frame(area = pop$area, sex = pop$sex, age_group = pop$age_group, Freq = pop$N)),
  rake = rake(des, list(~sex, ~age_group, ~area), list(margin("sex"), margin("age_group"), margin("area")),
              control = list(maxit = 1000, epsilon = 1e-13)),
  linear = calibrate(des, ~sex + age_group + area,
                     population = c(`(Intercept)` = sum(pop$N),
                                    sexmale = sum(pop$N[pop$sex == "male"]),
                                    `age_group25-44` = sum(pop$N[pop$age_group == "25-44"]),
                                    `age_group45+` = sum(pop$N[pop$age_group == "45+"]),
                                    areanorth = sum(pop$N[pop$area == "north"]),
                                    areasouth = sum(pop$N[pop$area == "south"]))),
  raking = calibrate(des, ~sex + age_group + area, calfun = "raking", epsilon = 1e-13, maxit = 100,
                     population = c(`(Intercept)` = sum(pop$N),
                                    sexmale = sum(pop$N[pop$sex == "male"]),
                                    `age_group25-44` = sum(pop$N[pop$age_group == "25-44"]),
                                    `age_group45+` = sum(pop$N[pop$age_group == "45+"]),
                                    areanorth = sum(pop$N[pop$area == "north"]),
                                    areasouth = sum(pop$N[pop$area == "south"]))))
for (name in names(cal_designs)) {
  d <- cal_designs[[name]]
  put(paste0("calibration_", name), "weights_sum", estimate = sum(weights(d)))
  m <- svymean(~x, d, na.rm = TRUE)
  put(paste0("calibration_", name), "mean x", estimate = coef(m), se = SE(m))
  t <- svytotal(~x, d, na.rm = TRUE)
  put(paste0("calibration_", name), "total x", estimate = coef(t), se = SE(t))
  p <- svymean(~y, d, na.rm = TRUE)
  put(paste0("calibration_", name), "mean y", estimate = coef(p), se = SE(p))
  b <- svyby(~x, ~area, d, svymean, na.rm = TRUE)
  for (i in seq_len(nrow(b))) {
    put(paste0("calibration_", name), "mean x", "area", b$area[i], estimate = b$x[i], se = SE(b)[i])
  }
  bs <- svyby(~y, ~sex, d, svymean, na.rm = TRUE)
  for (i in seq_len(nrow(bs))) {
    put(paste0("calibration_", name), "mean y", "sex", bs$sex[i], estimate = bs$y[i], se = SE(bs)[i])
  }
  g <- svyglm(y ~ sex + x, d, family = quasibinomial())
  for (term in names(coef(g))) {
    put(paste0("calibration_", name), "glm", term = term, estimate = coef(g)[term], se = sqrt(diag(vcov(g)))[term])
  }
}

# --- replicate-weight designs: bootstrap with its scale, JKn with per-replicate rscales
rep <- read.csv("tests/r/design_replicate.csv", stringsAsFactors = FALSE)
jk <- grep("^jk_", names(rep), value = TRUE)
bs <- grep("^bs_", names(rep), value = TRUE)
n_h <- table(sub("^jk_(S[0-9]+)_.*$", "\\1", jk))
rscales <- as.numeric((n_h[sub("^jk_(S[0-9]+)_.*$", "\\1", jk)] - 1) / n_h[sub("^jk_(S[0-9]+)_.*$", "\\1", jk)])
rep_designs <- list(
  jkn = svrepdesign(data = rep, repweights = rep[, jk], weights = ~w, type = "JKn", rscales = rscales,
                    combined.weights = TRUE),
  bootstrap = svrepdesign(data = rep, repweights = "^bs_", weights = ~w, type = "bootstrap",
                          scale = 1 / (length(bs) - 1), combined.weights = TRUE))
for (name in names(rep_designs)) {
  d <- rep_designs[[name]]
  a <- paste0("replicate_", name)
  m <- svymean(~x, d, na.rm = TRUE)
  put(a, "mean x", estimate = coef(m), se = SE(m), df = degf(d))
  t <- svytotal(~x, d, na.rm = TRUE)
  put(a, "total x", estimate = coef(t), se = SE(t))
  p <- svymean(~y, d, na.rm = TRUE)
  put(a, "mean y", estimate = coef(p), se = SE(p))
  r <- svyratio(~x, ~z, d, na.rm = TRUE)
  put(a, "ratio x/z", estimate = coef(r), se = SE(r))
  b <- svyby(~x, ~sex, d, svymean, na.rm = TRUE)
  for (i in seq_len(nrow(b))) put(a, "mean x", "sex", b$sex[i], estimate = b$x[i], se = SE(b)[i])
  bt <- svyby(~x, ~age_group, d, svytotal, na.rm = TRUE)
  for (i in seq_len(nrow(bt))) put(a, "total x", "age_group", bt$age_group[i], estimate = bt$x[i], se = SE(bt)[i])
  g <- suppressWarnings(svyglm(y ~ sex + x, d, family = quasibinomial()))
  for (term in names(coef(g))) put(a, "glm", term = term, estimate = coef(g)[term], se = SE(g)[term])
}

out <- do.call(rbind, rows)
write.csv(data.frame(lapply(out, fmt)), "tests/r/reference_models.csv", row.names = FALSE)
cat("survey", as.character(packageVersion("survey")), "on", R.version.string, "\n")
cat(nrow(out), "reference values written\n")
