# R `survey` on ENVIPE 2021 (INEGI): reference values for tests/test_envipe.py and the timing of
# benchmarks/bench_envipe.py. The design data are written by that benchmark (from INEGI's files):
#   .venv/bin/python benchmarks/bench_envipe.py --reference    # runs this script, updates tests/r/envipe_reference.csv
# Usage: Rscript tests/r/envipe.R <folder with persons.csv, plan.csv, crimes.csv and stacked.csv> <output csv>
# Prints one line "timing persons=<s> crimes=<s>" (seconds, estimation only, not reading); the
# municipality, Querétaro, absolute-number and rate blocks that follow it are reference values only (not timed).
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
              sex = "character", age_group = "character", area = "character", municipality = "character"))
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
              sex = "character", state_occurred = "character", municipality_occurred = "character"))
t0 <- Sys.time()  # timed: the design and the national and Mexico City tables (the benchmark's job)
kd <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = k, nest = TRUE)
# the crimes of an area of occurrence (the nation, an entity of 2 digits, a municipality of 5)
occurrence <- function(area) {
  if (area == "national") subset(kd, in_sample == 1) else if (nchar(area) == 2)
    subset(kd, in_sample == 1 & state_occurred == area) else subset(kd, in_sample == 1 & municipality_occurred == area)
}
# crimes occurred (total) and the reported, carpeta and cifra negra shares, in total and by sex
reporting <- function(area) {
  sub <- occurrence(area)
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
for (area in c("national", "09")) reporting(area)
t_crimes <- as.numeric(difftime(Sys.time(), t0, units = "secs"))

# Municipalities of occurrence (Iztapalapa 09007, Querétaro 22014) and Querétaro state (22) in the reporting
# table, and for every area INEGI's absolute numbers (weighted totals of reported, carpeta and cifra negra
# crimes, table "crimes_counts"): each a domain of the national design
for (area in c("09007", "22", "22014")) reporting(area)
for (area in c("national", "09", "09007", "22", "22014")) {
  sub <- occurrence(area)
  for (m in c("reported", "carpeta", "cifra_negra")) {
    f <- as.formula(paste0("~", m))
    tot <- svytotal(f, sub)
    add("crimes_counts", paste0(m, "_crimes"), area, "total", coef(tot), SE(tot))
    b <- svyby(f, ~sex, sub, svytotal)
    add("crimes_counts", paste0(m, "_crimes"), area, b$sex, b[[m]], SE(b))
  }
}

# The residents of Iztapalapa (09007) and of the municipality of Querétaro (22014): the person indicators as
# domains of the national design
for (muni in c("09007", "22014")) {
  dom <- subset(des, municipality == muni)
  for (r in seq_len(nrow(plan))) {
    i <- plan$indicator[r]
    by <- plan$domain[r]
    if (!(by %in% c("total", "sex", "age_group"))) next
    f <- as.formula(paste0("~", i))
    if (by == "total") {
      m <- svymean(f, dom, na.rm = TRUE)
      add(paste0("persons_", muni), i, "total", "total", coef(m), SE(m))
    } else {
      b <- svyby(f, as.formula(paste0("~", by)), dom, svymean, na.rm = TRUE)
      add(paste0("persons_", muni), i, by, b[[by]], b[[i]], SE(b))
    }
  }
}

# crimes per 100,000 adults of an area (residence): svyratio of crimes (FAC_DEL) to adults (FAC_ELE)
# on the stacked crime and person rows of one design
s <- read.csv(file.path(folder, "stacked.csv"), colClasses = c(stratum = "character", psu = "character",
              sex = "character", age_group = "character", state = "character", municipality = "character"))
sd <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = s, nest = TRUE)
for (area in c("national", "09", "09007", "22", "22014")) {
  sub <- if (area == "national") sd else if (nchar(area) == 2) subset(sd, state == area) else
    subset(sd, municipality == area)
  r <- svyratio(~crime, ~person, sub)
  add("rates", "per_100k_adults", area, "total", 1e5 * coef(r), 1e5 * SE(r))
  for (by in c("sex", "age_group")) {
    b <- svyby(~crime, as.formula(paste0("~", by)), denominator = ~person, sub, svyratio)
    add("rates", "per_100k_adults", area, b[[by]], 1e5 * coef(b), 1e5 * SE(b))
  }
}
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = TRUE)
cat(sprintf("timing persons=%.4f crimes=%.4f\n", t_persons, t_crimes))
