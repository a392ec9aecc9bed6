// The widget's global ($altcha) and its element's type in document.createElement.
import 'altcha/types/global'
import 'altcha/types/generic'
