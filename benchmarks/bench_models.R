# R side of benchmarks/bench_models.py: a design-based logistic model and raking on ENVIPE 2021's national
# person file, with R's survey package. Usage: Rscript benchmarks/bench_models.R <folder> <out.csv>
# Reads <folder>/persons.csv (design columns, outcome, predictors) and <folder>/margins.csv
# (variable, level, N); times the estimation only (reading excluded, best of 3) and writes the results.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(file.path(args[1], "persons.csv"), colClasses = c(stratum = "character", psu = "character",
                                                                 area = "character"))
margins <- read.csv(file.path(args[1], "margins.csv"), colClasses = c(level = "character"))
best <- function(f) { t <- Inf; for (i in 1:3) { s <- system.time(r <- f())[["elapsed"]]; t <- min(t, s) }; list(t, r) }
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = df, nest = TRUE)
# converged as tightly as usg_research's fit (R's default epsilon is 1e-8), so the results can be compared
glm_run <- best(function() svyglm(victim ~ sex + age_group + area, des, family = quasibinomial(),
                                  control = glm.control(epsilon = 1e-12, maxit = 50)))
m <- glm_run[[2]]
pop <- lapply(c("sex", "age_group", "area"), function(v) {
  t <- margins[margins$variable == v, c("level", "N")]; names(t) <- c(v, "Freq"); t })
rake_run <- best(function() {
  r <- rake(des, list(~sex, ~age_group, ~area), pop, control = list(maxit = 100, epsilon = 1e-10))
  svymean(~victim, r)
})
est <- rake_run[[2]]
out <- rbind(data.frame(what = "glm", term = names(coef(m)), estimate = unname(coef(m)), se = unname(SE(m))),
             data.frame(what = "rake", term = "mean victim", estimate = unname(coef(est)), se = unname(SE(est))))
write.csv(data.frame(lapply(out, function(x) if (is.numeric(x)) sprintf("%.17g", x) else x)), args[2],
          row.names = FALSE)
cat(sprintf("timing glm=%.4f rake=%.4f\n", glm_run[[1]], rake_run[[1]]))
