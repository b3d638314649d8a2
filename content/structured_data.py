"""Schema.org descriptions (JSON-LD) of the practice, its pages and articles."""

from django.conf import settings

from .models import Article, Page, PracticeDetails


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def practice_data(practice: PracticeDetails | None) -> dict:
    if not practice:
        return {}
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalBusiness",
        "@id": absolute("/#praktijk"),
        "name": practice.practice_name,
        "url": absolute("/"),
        "telephone": practice.phone,
        "email": practice.email,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": practice.street,
            "postalCode": practice.postal_code,
            "addressLocality": practice.city,
            "addressCountry": "NL",
        },
        "founder": {"@type": "Person", "name": practice.therapist_name, "jobTitle": practice.therapist_title},
        "medicalSpecialty": "Psychiatric",
        "isAcceptingNewPatients": True,
    }
    if practice.kvk_number:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "KvK", "value": practice.kvk_number}
    return data


def page_data(page: Page) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": page.schema_type,
        "name": page.title,
        "description": page.meta_description,
        "url": absolute(page.get_absolute_url()),
        "inLanguage": "nl",
        "dateModified": page.updated_at.isoformat(),
        "publisher": {"@id": absolute("/#praktijk")},
    }


def article_data(article: Article, author: str) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.summary,
        "url": absolute(article.get_absolute_url()),
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "inLanguage": "nl",
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.modified_at.isoformat(),
        "author": {"@type": "Person", "name": author},
        "publisher": {"@id": absolute("/#praktijk")},
    }
