// GOV.UK Frontend's components (details, error summary, header menus...) on every page.
import { initAll } from "./govuk/govuk-frontend.min.js"
import "./print.js"

initAll()
