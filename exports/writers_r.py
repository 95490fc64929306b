"""The R loader shipped in every export bundle (no Django): base R only, no package to install.

It reads codebook.csv and, for every dataset's CSV, turns each column into its type (integer, numeric, Date,
POSIXct), attaches the variable label ("English / 中文") as the `label` attribute that RStudio and the labelled
packages show, and turns coded columns into factors with their value labels. Usage, in the unzipped folder:

    source("load_datasets.R"); str(edc$participants)
"""
from exports.spec import Dataset

R_SCRIPT_NAME = "load_datasets.R"

_TEMPLATE = r'''# Loads the CSV datasets of this export into R with labels. Base R only.
#   source("load_datasets.R")   # in the unzipped folder; then e.g. str(edc$participants)
# Datasets: {names}
local({{
  here <- tryCatch(dirname(sys.frame(1)$ofile), error = function(e) ".")
  if (is.null(here) || !nzchar(here)) here <- "."
  read_utf8 <- function(file) utils::read.csv(file.path(here, file), fileEncoding = "UTF-8-BOM",
    colClasses = "character", na.strings = "", check.names = FALSE, stringsAsFactors = FALSE)
  codebook <- read_utf8("codebook.csv")
  as_datetime <- function(x) {{
    iso <- sub("([+-][0-9]{{2}}):([0-9]{{2}})$", "\\1\\2", sub("Z$", "+0000", x))
    with_zone <- grepl("[+-][0-9]{{4}}$", iso)
    out <- rep(as.POSIXct(NA, tz = "UTC"), length(x))
    out[with_zone] <- as.POSIXct(iso[with_zone], format = "%Y-%m-%dT%H:%M:%OS%z", tz = "UTC")
    out[!with_zone & !is.na(x)] <- as.POSIXct(iso[!with_zone & !is.na(x)], format = "%Y-%m-%dT%H:%M:%OS",
                                              tz = "UTC")
    out
  }}
  convert <- list(integer = as.integer, boolean = as.integer, number = as.numeric, date = as.Date,
                  datetime = as_datetime, string = identity)
  edc <- list()
  for (name in unique(codebook$dataset)) {{
    file <- paste0(name, ".csv")
    if (!file.exists(file.path(here, file))) next
    data <- read_utf8(file)
    for (i in which(codebook$dataset == name)) {{
      v <- codebook$variable[i]
      if (!v %in% names(data)) next
      x <- convert[[codebook$type[i]]](data[[v]])
      allowed <- codebook$allowed_values[i]
      if (!is.na(allowed) && nzchar(allowed)) {{
        pairs <- strsplit(strsplit(allowed, "; ", fixed = TRUE)[[1]], "=", fixed = TRUE)
        codes <- vapply(pairs, `[`, "", 1)
        labels <- vapply(pairs, function(p) paste(p[-1], collapse = "="), "")
        x <- factor(as.character(x), levels = codes, labels = labels)
      }}
      attr(x, "label") <- paste(codebook$label_en[i], codebook$label_zh[i], sep = " / ")
      data[[v]] <- x
    }}
    edc[[name]] <- data
  }}
  assign("edc", edc, envir = globalenv())
  message("Loaded ", length(edc), " datasets into `edc`: ", paste(names(edc), collapse = ", "))
}})
'''


def r_script(datasets: list[Dataset]) -> str:
    return _TEMPLATE.format(names=", ".join(ds.name for ds in datasets))
