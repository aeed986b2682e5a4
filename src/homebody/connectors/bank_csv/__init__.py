"""Bank and card CSV exports (Chase, Bank of America, Wells Fargo, Sparkasse, ...) as transaction items."""
