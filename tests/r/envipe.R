# R `survey` on ENVIPE 2021 (INEGI): reference values for tests/test_envipe.py and the timing of
# benchmarks/bench_envipe.py. The design data are written by that benchmark (from INEGI's files):
#   .venv/bin/python benchmarks/bench_envipe.py --reference    # runs this script, updates tests/r/envipe_reference.csv
# Usage: Rscript tests/r/envipe.R <folder with persons.csv, plan.csv and crimes.csv> <output csv>
# Prints one line "timing persons=<s> crimes=<s>" (seconds, estimation only, not reading).
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
out <- args[2]
fmt <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(table, indicator, domain, level, est, se) {
  rows[[length(rows) + 1]] <<- data.frame(table = table, indicator = indicator, domain = domain,
                                         level = as.character(level), estimate = fmt(est), se = fmt(se))
}

# persons: the full indicator table (the catalogue's indicators x their disaggregations; area = entity)
p <- read.csv(file.path(folder, "persons.csv"), colClasses = c(stratum = "character", psu = "character",
              sex = "character", age_group = "character", area = "character"))
plan <- read.csv(file.path(folder, "plan.csv"), stringsAsFactors = FALSE)  # (indicator, domain) pairs
t0 <- Sys.time()
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = p, nest = TRUE)
for (r in seq_len(nrow(plan))) {
  i <- plan$indicator[r]
  by <- plan$domain[r]
  f <- as.formula(paste0("~", i))
  if (by == "total") {
    m <- svymean(f, des, na.rm = TRUE)
    add("persons", i, "total", "total", coef(m), SE(m))
  } else {
    b <- svyby(f, as.formula(paste0("~", by)), des, svymean, na.rm = TRUE)
    add("persons", i, by, b[[by]], b[[i]], SE(b))
  }
}
t_persons <- as.numeric(difftime(Sys.time(), t0, units = "secs"))

# crimes: INEGI's reporting measures, crimes a domain of the full sample (PSUs without crimes kept)
k <- read.csv(file.path(folder, "crimes.csv"), colClasses = c(stratum = "character", psu = "character",
              sex = "character", state_occurred = "character"))
t0 <- Sys.time()
kd <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = k, nest = TRUE)
for (area in c("national", "09")) {
  sub <- if (area == "national") subset(kd, in_sample == 1) else subset(kd, in_sample == 1 & state_occurred == "09")
  tot <- svytotal(~one, sub)
  add("crimes", "crimes", area, "total", coef(tot), SE(tot))
  b <- svyby(~one, ~sex, sub, svytotal)
  add("crimes", "crimes", area, b$sex, b$one, SE(b))
  for (m in c("reported", "carpeta", "cifra_negra")) {
    f <- as.formula(paste0("~", m))
    e <- svymean(f, sub)
    add("crimes", m, area, "total", coef(e), SE(e))
    b <- svyby(f, ~sex, sub, svymean)
    add("crimes", m, area, b$sex, b[[m]], SE(b))
  }
}
t_crimes <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = TRUE)
cat(sprintf("timing persons=%.4f crimes=%.4f\n", t_persons, t_crimes))
