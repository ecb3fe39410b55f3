"""Driving a searchable picker (liaison/pickers.py, Tom Select) in a Playwright page."""


def pick(page, name, typed, option_text):
    """In the picker of ``select[name=<name>]`` type ``typed`` and choose the option showing
    ``option_text``; answers the group (unit) headers the dropdown showed."""
    control = page.locator("select[name=%s] + .ts-wrapper .ts-control" % name)
    control.click()
    page.keyboard.type(typed)
    dropdown = page.locator("select[name=%s] + .ts-wrapper .ts-dropdown" % name)
    option = dropdown.locator(".option", has_text=option_text).first
    option.wait_for()
    groups = dropdown.locator(".optgroup-header").all_inner_texts()
    option.click()
    # Close the dropdown (a multiple picker keeps it open for the next choice) so it covers nothing; a search
    # answering late may reopen it, which PhoneSession.click closes again before a form is sent.
    page.locator("select[name=%s]" % name).evaluate("s => { s.tomselect.close(); s.tomselect.blur(); }")
    dropdown.wait_for(state="hidden")
    return groups
