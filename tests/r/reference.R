# Reference values from R's survey package for tests/test_survey_vs_r.py.
# Run from the project root:  Rscript tests/r/reference.R
# (Debian: apt-get install r-base-core r-cran-survey). Writes tests/r/reference_*.csv.
suppressMessages(library(survey))

fmt <- function(x) if (is.numeric(x)) sprintf("%.17g", x) else x

designs <- list(
  stratified   = list(file = "tests/r/design_stratified.csv", strata = TRUE, lonely = "fail"),
  unstratified = list(file = "tests/r/design_unstratified.csv", strata = FALSE, lonely = "fail"),
  lonely       = list(file = "tests/r/design_lonely.csv", strata = TRUE, lonely = "adjust"),
  # without replacement: fpc = PSUs of the stratum in the population (S1 fully enumerated; census: all)
  fpc          = list(file = "tests/r/design_fpc.csv", strata = TRUE, lonely = "fail", fpc = TRUE),
  census       = list(file = "tests/r/design_census.csv", strata = TRUE, lonely = "fail", fpc = TRUE)
)
bys <- list("total", "sex", "age_group", "group", c("sex", "age_group"))

est_rows <- list()
chi_rows <- list()
for (dname in names(designs)) {
  spec <- designs[[dname]]
  options(survey.lonely.psu = spec$lonely)
  df <- read.csv(spec$file, stringsAsFactors = FALSE)
  des <- if (isTRUE(spec$fpc)) {
    svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~w, data = df, nest = TRUE)
  } else if (spec$strata) {
    svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = df, nest = TRUE)
  } else {
    svydesign(ids = ~psu, weights = ~w, data = df)
  }
  for (by in bys) {
    if (identical(by, "total")) {
      levels <- list(rep(TRUE, nrow(df)))
      names(levels) <- "total"
    } else {
      key <- do.call(paste, c(df[by], sep = " / "))
      lv <- sort(unique(key))
      levels <- lapply(lv, function(l) key == l)
      names(levels) <- lv
    }
    for (lev in names(levels)) {
      dom <- levels[[lev]]
      for (v in c("x", "y")) {
        # the domain's subset, rows with a missing value included: its degf() is the df R's svyciprop uses
        sub <- subset(des, dom)
        d <- degf(sub)
        f <- as.formula(paste0("~", v))
        m <- svymean(f, sub, deff = TRUE, na.rm = TRUE)
        tt <- svytotal(f, sub, deff = TRUE, na.rm = TRUE)
        base <- data.frame(design = dname, var = v, by = paste(by, collapse = " x "), level = lev,
                           n = sum(!is.na(df[[v]][dom])), rows = nrow(sub),
                           N = sum(weights(sub)[!is.na(df[[v]][dom])]), df = d)
        kinds <- if (v == "x") c("mean", "total")
                 else c("proportion", "proportion_xlogit", "proportion_wald", "proportion_beta", "total")
        for (k in kinds) {
          obj <- if (k == "total") tt else m
          ci <- if (k == "proportion") attr(svyciprop(f, sub, method = "logit", df = d, na.rm = TRUE), "ci")
                else if (k == "proportion_xlogit") attr(svyciprop(f, sub, method = "xlogit", df = d, na.rm = TRUE), "ci")
                else if (k == "proportion_beta") attr(svyciprop(f, sub, method = "beta", na.rm = TRUE), "ci")
                else confint(obj, df = d)
          est_rows[[length(est_rows) + 1]] <- cbind(base, data.frame(
            estimator = k, estimate = unname(coef(obj)), se = unname(SE(obj)),
            ci_low = unname(ci[1]), ci_high = unname(ci[2]), deff = unname(deff(obj))))
        }
      }
    }
  }
  # svyby on the full design must give the same domain estimates as the subsets above
  b <- svyby(~x, ~sex, des, svymean, na.rm = TRUE)
  s <- sapply(split(seq_len(nrow(df)), df$sex), function(i) {
    SE(svymean(~x, subset(des, df$sex == df$sex[i[1]] & !is.na(df$x))))
  })
  stopifnot(max(abs(SE(b) - s)) < 1e-12)
  for (pair in list(c("sex", "age_group"), c("trust", "age_group"), c("y", "group"))) {
    f <- as.formula(paste0("~", pair[1], "+", pair[2]))
    r <- svychisq(f, des, statistic = "F")
    chi_rows[[length(chi_rows) + 1]] <- data.frame(
      design = dname, row = pair[1], col = pair[2], F = unname(r$statistic), ndf = unname(r$parameter[1]),
      ddf = unname(r$parameter[2]), p = r$p.value)
  }
}
est <- do.call(rbind, est_rows)
chi <- do.call(rbind, chi_rows)
write.csv(data.frame(lapply(est, fmt)), "tests/r/reference_estimates.csv", row.names = FALSE)
write.csv(data.frame(lapply(chi, fmt)), "tests/r/reference_chisq.csv", row.names = FALSE)
cat("survey", as.character(packageVersion("survey")), "on", R.version.string, "\n")
cat(nrow(est), "estimates,", nrow(chi), "tests written\n")
